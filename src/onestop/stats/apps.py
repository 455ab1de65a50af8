from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "onestop.stats"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        from onestop.cases import hooks
        from onestop.cases.states import EventKind
        from onestop.stats.tasks import case_events_figures

        # Every event may move a figure (a correction, a pause, an extension, a decision).
        hooks.on_case_events(*EventKind.values, handler=case_events_figures)
