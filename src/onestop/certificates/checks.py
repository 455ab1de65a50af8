"""System checks of certificates: a deployment's ``ONESTOP_SIGNER`` names known signers, so
a typo stops ``onestop check`` / start-up instead of every issuance failing later."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

from onestop.certificates.signers import SIGNERS


def signer_setting_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    names = getattr(settings, "ONESTOP_SIGNER", [])
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in names if n not in SIGNERS]
    if unknown:
        return [
            Error(
                f"ONESTOP_SIGNER names unknown signers: {', '.join(unknown)}",
                hint=f"use {', '.join(SIGNERS)} or both, comma-separated",
                id="certificates.E001",
            )
        ]
    if not names:
        return [
            Error("ONESTOP_SIGNER is empty", hint="pades, sm2 or pades,sm2", id="certificates.E002")
        ]
    return []
