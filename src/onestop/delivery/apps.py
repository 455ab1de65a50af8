from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "onestop.delivery"
    verbose_name = _("邮政双向专递")

    def ready(self) -> None:
        from onestop.cases import hooks
        from onestop.cases.states import EventKind
        from onestop.delivery.services import shipments_cancel_for_case

        # A case withdrawn or terminated takes its parcels not yet picked up off the post.
        hooks.on_case_events(
            EventKind.WITHDRAWN, EventKind.TERMINATED, handler=shipments_cancel_for_case
        )
