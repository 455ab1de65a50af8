"""Masking of personal data in lists, logs and exports (ID numbers, phones)."""

from __future__ import annotations


def mask_id_number(value: str) -> str:
    """430902199001011234 → 430902********1234 (region kept, birth date hidden)."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**; keeps the family name only."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
