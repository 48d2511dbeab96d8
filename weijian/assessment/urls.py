"""URL map of the assessment pages, mounted at /assessment/."""

from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("import/", views.scheme_import, name="import"),
    path("import/preview/", views.scheme_import_preview, name="import_preview"),
    path("<int:pk>/", views.scheme_detail, name="scheme"),
    path("<int:pk>/advance/", views.scheme_advance, name="advance"),
    path("<int:pk>/new-version/", views.scheme_new_version, name="new_version"),
    path("<int:pk>/reviewers/", views.scheme_reviewers, name="reviewers"),
    path("<int:pk>/board/", views.board, name="board"),
    path("<int:pk>/score/", views.board_score, name="score"),
    path("<int:pk>/ranking/", views.ranking, name="ranking"),
    path("<int:pk>/appeals/", views.appeal_list, name="appeals"),
    path("<int:pk>/scheme.xlsx", views.export_scheme, name="export_scheme"),
    path("<int:pk>/scheme.docx", views.export_scheme_docx, name="export_scheme_docx"),
    path("<int:pk>/scores.xlsx", views.export_scores, name="export_scores"),
    path("<int:pk>/notice.docx", views.export_notice, name="export_notice"),
    path("<int:pk>/items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("results/<int:pk>/", views.scorecard, name="scorecard"),
    path("results/<int:pk>/submit/", views.submit_self, name="submit_self"),
    path("results/<int:pk>/reply/", views.reply, name="reply"),
    path("results/<int:pk>/what-if/", views.what_if, name="what_if"),
    path("results/<int:pk>/feedback.docx", views.export_feedback, name="export_feedback"),
    path("scores/<int:pk>/self/", views.self_assess, name="self_assess"),
    path("scores/<int:pk>/review/", views.review_item, name="review"),
    path("scores/<int:pk>/appeal/", views.appeal_new, name="appeal_new"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
]
