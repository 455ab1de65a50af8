"""邮政双向专递: the app's tables (none yet)."""
