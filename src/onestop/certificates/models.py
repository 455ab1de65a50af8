"""电子证照与电子印章: the app's tables (none yet)."""
