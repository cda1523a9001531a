"""``python -m mmkit.bench``: the inference benchmark (see :mod:`mmkit.bench.inference`)."""
from .inference import main

main()
