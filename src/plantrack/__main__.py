"""Run the command line with ``python -m plantrack``."""

from plantrack.cli import main

main()
