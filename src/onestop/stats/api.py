"""The JSON API of stats, mounted by config/api.py."""

from ninja import Router

router = Router(tags=["stats"])
