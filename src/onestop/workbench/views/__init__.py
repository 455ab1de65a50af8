"""Staff desks: the acceptance window (综合受理窗口) and the department inbox (部门专人)."""
