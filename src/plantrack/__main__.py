"""Run the command line with ``python -m plantrack``."""

from plantrack.entry import main

main()
