from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "onestop.delivery"
    verbose_name = _("邮政双向专递")
