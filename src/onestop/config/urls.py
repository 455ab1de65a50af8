from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path
from django.utils.translation import gettext_lazy

from onestop.accounts.forms import ThrottledAuthenticationForm
from onestop.config.api import api

admin.site.site_header = gettext_lazy("onestop 一件事一次办 管理后台")
admin.site.site_title = "onestop"
admin.site.index_title = gettext_lazy("政务服务一体化平台")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # Django's login page with the login throttle (accounts/throttle.py); the rest of
    # django.contrib.auth's pages as they are.
    path(
        "accounts/login/",
        LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("desk/supervision/", include("onestop.supervision.urls")),
    path("desk/stats/", include("onestop.stats.urls")),
    path("desk/", include("onestop.workbench.urls")),
    path("ratings/", include("onestop.evaluations.urls")),
    path("certificates/", include("onestop.certificates.urls")),
    path("delivery/", include("onestop.delivery.urls")),
    path("cases/", include("onestop.cases.urls")),
    path("messages/", include("onestop.notifications.urls")),
    path("", include("onestop.portal.urls")),
]
