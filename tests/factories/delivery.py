"""邮政双向专递 set-ups shared by the delivery tests and the API permission table."""

from __future__ import annotations

from onestop.catalog.models import ServiceItemVersion
from onestop.delivery import services
from onestop.delivery.states import DeliveryMethod
from tests.factories.cases import Setup


def post_allowed(setup: Setup) -> Setup:
    """The set-up's items accept materials by post and send their results by post."""
    ServiceItemVersion.objects.filter(pk__in=[v.pk for v in setup.versions.values()]).update(
        supports_postal_delivery=True, supports_material_mail=True
    )
    return setup


def choose_post(setup: Setup, case, *, address: str = "湖南省益阳市赫山区龙岭大道88号3栋") -> None:
    """The applicant saves an address and chooses 邮寄送达 with the authorisation signed."""
    entry = services.address_save(
        applicant=setup.applicant, name="李四", phone="13807371234", address=address
    )
    services.delivery_choose(
        case_id=case.pk,
        applicant=setup.applicant,
        method=DeliveryMethod.POST,
        address_id=entry.pk,
        authorisation_signed=True,
    )
