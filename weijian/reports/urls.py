"""URL map of the report pages, mounted at /reports/."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("ranking/", views.ranking, name="ranking"),
    path("assessment/<int:pk>/", views.assessment_notice, name="assessment_notice"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/docx/", views.download, name="download"),
    path("<int:pk>/pdf/", views.preview, name="preview"),
    path("<int:pk>/charts/<int:number>.png", views.chart, name="chart"),
    path("proofread/", views.proofread_page, name="proofread"),
    path("proofread/<int:pk>/", views.proofread_result, name="proofread_result"),
    path("proofread/<int:pk>/docx/", views.proofread_download, name="proofread_download"),
]
