"""API URLs under /api/: org units, catalogue, data values, aggregation, imports, token,
plans, and the OpenAPI schema with its Swagger UI (served locally by the sidecar package).

DRF authenticates API calls itself (session or token) and answers 401/403 in JSON, so every
view here is exempt from the site's LoginRequiredMiddleware, which would redirect to a page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from weijian.assessment import api as assessment_api
from weijian.plans import api as plans_api

from . import views
from .errors import not_found

router = DefaultRouter()
router.register("orgunits", views.OrgUnitViewSet, basename="orgunit")
router.register("dataelements", views.DataElementViewSet, basename="dataelement")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("datavalues", views.DataValueViewSet, basename="datavalue")


def _exempt(patterns: list) -> list:
    """Mark every view below these patterns as handling its own authentication."""
    for p in patterns:
        if isinstance(p, URLResolver):
            _exempt(p.url_patterns)
        elif isinstance(p, URLPattern):
            p.callback = login_not_required(p.callback)
    return patterns


urlpatterns = _exempt(
    [
        path("analytics/", views.analytics, name="api-analytics"),
        path("imports/", views.imports, name="api-imports"),
        path("imports/<int:pk>/", views.import_job, name="api-import-job"),
        path("token/", views.token, name="api-token"),
        # The schema and its UI describe the API, not its data: readable without signing in.
        path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
        # The split view serves its start-up script as a file, as the Content-Security-Policy requires.
        path(
            "docs/",
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
            name="api-docs",
        ),
        path("plans/", include(plans_api.router.urls)),
        path("assessment/", include(assessment_api.router.urls)),
        path("", include(router.urls)),
        re_path(r"^.*$", not_found),
    ]
)
