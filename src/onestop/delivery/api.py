"""The JSON API of delivery, mounted by config/api.py."""

from ninja import Router

router = Router(tags=["delivery"])
