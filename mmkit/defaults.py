"""Defaults that several parts of the kit share and that cost nothing to import (no torch): the command line reads
them while it builds its help."""

#: The network that ``mmkit.magnify``, ``mmkit magnify`` and the widget use when no method is given: the best light
#: weights on the held-out-content benchmark (``course_file("held_out_720.txt")``, :mod:`mmkit.tables.held_out`).
DEFAULT_NETWORK = "light"
