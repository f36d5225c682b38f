"""One function per command family: store and core combined into values, never printed here."""
