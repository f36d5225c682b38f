"""The command line. The Typer application lives in ``cli.app``; this package stays import-light
so that the fast entry path (``plantrack.cli.main``) need not load Typer."""
