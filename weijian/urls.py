"""Top-level URL map: pages, accounts, plans, API, admin."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("weijian.web.urls")),
    path("accounts/", include("weijian.accounts.urls")),
    path("plans/", include("weijian.plans.urls")),
    path("reports/", include("weijian.reports.urls")),
    path("assessment/", include("weijian.assessment.urls")),
    path("api/", include("weijian.api.urls")),
    path("admin/", admin.site.urls),
    # Open to visitors who are not logged in, so the switcher on the login page works too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]

# Styled Chinese error pages; 400, 500 and the CSRF failure page use Django's handlers with our
# templates (400.html, 500.html, 403_csrf.html).
handler403 = "weijian.web.views.errors.permission_denied"
handler404 = "weijian.web.views.errors.page_not_found"
