"""电子监察: the app's tables (none yet)."""
