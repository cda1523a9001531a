"""``python -m mmkit.bench``: the kit's speed on this machine in one run (see :mod:`mmkit.bench.summary`)."""
from .summary import main

main()
