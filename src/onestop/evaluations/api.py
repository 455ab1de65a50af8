"""The JSON API of evaluations, mounted by config/api.py."""

from ninja import Router

router = Router(tags=["evaluations"])
