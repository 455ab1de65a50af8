"""好差评: the app's tables (none yet)."""
