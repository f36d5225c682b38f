"""plantrack: track a development plan's objectives, milestones and indicators against evidence."""

__version__ = "0.1.0"
