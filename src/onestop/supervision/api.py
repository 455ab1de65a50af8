"""The JSON API of supervision, mounted by config/api.py."""

from ninja import Router

router = Router(tags=["supervision"])
