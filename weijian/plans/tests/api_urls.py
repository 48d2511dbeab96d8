"""The plans API mounted as /api/plans/ is mounted by the api app; tests mount it alone."""

from django.urls import include, path

from weijian.plans import api

urlpatterns = [path("api/plans/", include(api.router.urls))]
