from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "onestop.supervision"
    verbose_name = _("电子监察")

    def ready(self) -> None:
        from onestop.cases import hooks
        from onestop.supervision import services, tasks

        tasks.register()  # the beat task is known to every process, not only to workers

        hooks.on_case_events(
            *services.WATCHED_EVENTS, handler=services.signals_on_case_events, deferred=True
        )
