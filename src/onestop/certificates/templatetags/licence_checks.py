"""``{% licence_material m case %}``: a case material's e-licence, checked now.

For the window's and the department's material lists and the applicant's case page: the
certificate the material references, its signature and state verified on every view
(``certificates.wallet.licence_check``), so a revoked certificate shows as revoked.
"""

from __future__ import annotations

from typing import Any

from django import template

from onestop.certificates.wallet import licence_check

register = template.Library()


@register.inclusion_tag("certificates/_licence_material.html")
def licence_material(material: Any, case: Any = None) -> dict[str, Any]:
    reference = getattr(material, "licence_reference", "") or ""
    if not reference:
        return {"check": None}
    holder_id = getattr(case, "applicant_id", None) if case is not None else None
    return {"check": licence_check(reference, holder_id=holder_id)}
