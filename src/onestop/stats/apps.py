from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "onestop.stats"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        from onestop.cases import hooks
        from onestop.stats.figures import FIGURE_EVENTS
        from onestop.stats.tasks import case_events_figures

        hooks.on_case_events(*sorted(FIGURE_EVENTS), handler=case_events_figures, deferred=True)
