from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "onestop.accounts"
    verbose_name = _("人员与申请人")
