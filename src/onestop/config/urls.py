from django.contrib import admin
from django.urls import include, path

from onestop.config.api import api
from onestop.core.views import home

admin.site.site_header = "onestop 一件事一次办 管理后台"
admin.site.site_title = "onestop"
admin.site.index_title = "政务服务一体化平台"

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
