"""统计分析: the app's tables (none yet)."""
