"""Database backends: Django's own, with what onestop needs on top (see each module)."""
