"""Page URLs: home, org tree, catalogue, data entry and import, analysis."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/", views.org_tree, name="org_tree"),
    path("orgs/io/", views.org_io, name="org_io"),
    path("orgs/<str:code>/", views.org_detail, name="org_detail"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("data/entry/", views.data_entry, name="data_entry"),
    path("data/entry/template/", views.data_template, name="data_template"),
    path("data/import/", views.data_import, name="data_import"),
    path("data/import/<int:pk>/", views.import_result, name="import_result"),
    path("data/import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("analysis/", views.analysis, name="analysis"),
    path("analysis/export/", views.analysis_export, name="analysis_export"),
]
