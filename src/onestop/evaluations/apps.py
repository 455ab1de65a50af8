from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "onestop.evaluations"
    verbose_name = _("好差评")
