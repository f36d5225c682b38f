"""Run the command line with ``python -m plantrack``."""

from plantrack.cli.main import main

main()
