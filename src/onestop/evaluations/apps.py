from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "onestop.evaluations"
    verbose_name = _("好差评")

    def ready(self) -> None:
        from onestop.cases import hooks, rating_links
        from onestop.cases.states import EventKind
        from onestop.evaluations import services

        hooks.on_case_events(EventKind.HANDED_OUT, handler=services.handed_out_light)
        rating_links.rating_link_provider_register(services.rating_link_for_paper)
