"""``{% case_post %}``: the 邮寄送达 section of an applicant's case page (portal/case.html).

It draws the 送达方式 choice (窗口领取 / 邮寄送达, the address book masked, the free-post
authorisation to sign), the parcels of the case with their tracking, and the offer to post
the materials — each only when the case's items and state allow it (asked of
``delivery.selectors``); nothing when the case has nothing to do with post.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import template

from onestop.accounts.selectors import applicant_get_for_user
from onestop.delivery import selectors
from onestop.delivery.legal import authorisation_current
from onestop.delivery.states import DeliveryMethod, ShipmentKind

register = template.Library()

ERRORS_KEY = "delivery_errors"


@register.inclusion_tag("delivery/_case_post.html", takes_context=True)
def case_post(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    case = context["case"]
    owner = case.applicant  # the case page's case comes with its applicant
    applicant = owner if owner.user_id == request.user.pk else applicant_get_for_user(request.user)
    shipments = selectors.shipments_of_case(case)
    versions = selectors.case_item_versions(case)
    offered = selectors.post_offered(case, versions)
    changeable = offered and selectors.choice_changeable(case, shipments)
    materials = (
        selectors.material_mail_offered(case, versions)
        and selectors.materials_expected(case)
        and not any(s.kind == ShipmentKind.MATERIALS_TO_HALL for s in shipments)
    )
    choice = selectors.delivery_choice_of(case)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "show": bool(shipments) or offered or materials,
        "offered": offered,
        "changeable": changeable,
        "materials_offered": materials,
        "choice": choice,
        "by_post": choice is not None and choice.method == DeliveryMethod.POST,
        "methods": DeliveryMethod.choices,
        "addresses": list(selectors.addresses_of(applicant)) if applicant else [],
        "authorisation": authorisation_current(),
        "shipments": shipments,
        "key": uuid.uuid4().hex,
        "errors": request.session.pop(ERRORS_KEY, {}),
    }
