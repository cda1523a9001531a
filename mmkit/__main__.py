"""``python -m mmkit`` is the ``mmkit`` command."""
import sys

from .cli import main

sys.exit(main())
