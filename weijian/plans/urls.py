"""URL map of the plan pages, mounted at /plans/."""

from django.urls import path

from . import import_views, supervision_views, views

app_name = "plans"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.my_tasks, name="mine"),
    path("import/", import_views.upload, name="import"),
    path("drafts/<int:pk>/", import_views.draft, name="draft"),
    path("drafts/<int:pk>/targets/<str:key>/", import_views.draft_target, name="draft_target"),
    path("drafts/<int:pk>/targets/<str:key>/split/", import_views.draft_split, name="draft_split"),
    path("drafts/<int:pk>/facts/<int:index>/promote/", import_views.draft_promote, name="draft_promote"),
    path("drafts/<int:pk>/tasks/<str:key>/", import_views.draft_task, name="draft_task"),
    path("drafts/<int:pk>/departments/", import_views.draft_department, name="draft_department"),
    path("drafts/<int:pk>/confirm/", import_views.draft_confirm, name="draft_confirm"),
    path("drafts/<int:pk>/discard/", import_views.draft_discard, name="draft_discard"),
    path("<int:pk>/", views.plan_dashboard, name="plan"),
    path("<int:pk>/tasks/", views.task_list, name="tasks"),
    path("<int:pk>/interval/", views.set_interval, name="set_interval"),
    path("<int:pk>/departments/", views.by_department, name="by_department"),
    path("<int:pk>/counties/", views.by_county, name="by_county"),
    path("<int:pk>/revise/", import_views.revise, name="revise"),
    path("<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/export.docx", views.export_docx, name="export_docx"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/report/", views.report_progress, name="report"),
    path("targets/<int:pk>/actual/", views.target_actual, name="target_actual"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("supervision/", supervision_views.supervision_list, name="supervision_list"),
    path("supervision/new/", supervision_views.supervision_new, name="supervision_new"),
    path("supervision/<int:pk>/", supervision_views.supervision_detail, name="supervision"),
    path("supervision/<int:pk>/step/", supervision_views.supervision_step, name="supervision_step"),
    path("problems/", supervision_views.problem_list, name="problems"),
    path("problems/new/", supervision_views.problem_new, name="problem_new"),
    path("problems/<int:pk>/", supervision_views.problem_detail, name="problem"),
]
