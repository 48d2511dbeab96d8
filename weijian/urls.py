"""Top-level URL map: pages, accounts, plans, API, admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("weijian.web.urls")),
    path("accounts/", include("weijian.accounts.urls")),
    path("plans/", include("weijian.plans.urls")),
    path("api/", include("weijian.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
