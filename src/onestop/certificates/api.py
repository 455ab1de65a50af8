"""The JSON API of certificates, mounted by config/api.py."""

from ninja import Router

router = Router(tags=["certificates"])
