"""onestop — a one-stop government service platform (一件事一次办)."""

__version__ = "0.1.0"
