"""Masking of personal data in lists, logs and exports (ID numbers, phones, names).

Every mask keeps the length of its input (so a masked value still looks like what it
stands for) and never shows more than a reader needs to tell two records apart: the last
four characters of an ID number or phone, plus the region prefix of a full ID number and
the carrier prefix of a mobile number. Values too short for that are hidden entirely.
"""

from __future__ import annotations

# Shorter values than these are hidden entirely: keeping four characters would show most
# of them.
_KEEP_LAST_FROM = 8
_KEEP_ID_REGION_FROM = 15  # 15-digit (first generation) and 18-digit ID numbers
_KEEP_PHONE_PREFIX_FROM = 11


def mask_id_number(value: str) -> str:
    """430902199001011234 → 430902********1234 (region kept, birth date hidden)."""
    if not value:
        return ""
    n = len(value)
    if n < _KEEP_LAST_FROM:
        return "*" * n
    head = 6 if n >= _KEEP_ID_REGION_FROM else 0
    return value[:head] + "*" * (n - head - 4) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    if not value:
        return ""
    n = len(value)
    if n < _KEEP_LAST_FROM:
        return "*" * n
    head = 3 if n >= _KEEP_PHONE_PREFIX_FROM else 0
    return value[:head] + "*" * (n - head - 4) + value[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**; keeps the family name only."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
