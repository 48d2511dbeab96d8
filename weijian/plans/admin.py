"""Admin for plan records: for inspection and repair by a system administrator; the pages
under /plans/ are where the work is done."""

from django.contrib import admin

from .models import Plan, ProblemItem, ProgressReport, SupervisionItem, SupervisionStep, Target, Task


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["num", "title", "active"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "org_unit", "created", "revised"]
    inlines = [TaskInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["num", "title", "plan", "active"]
    list_filter = ["plan", "active"]
    search_fields = ["num", "title"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["phrase", "cmp", "value", "unit", "scope", "indicator", "deadline", "active"]
    list_filter = ["plan", "scope", "active"]
    search_fields = ["phrase"]


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ["task", "period_code", "percent", "department", "reported_at"]


class StepInline(admin.TabularInline):
    model = SupervisionStep
    extra = 0


@admin.register(SupervisionItem)
class SupervisionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "stage", "assignee_department", "assignee_org", "deadline"]
    list_filter = ["stage"]
    inlines = [StepInline]


@admin.register(ProblemItem)
class ProblemItemAdmin(admin.ModelAdmin):
    list_display = ["description", "source", "owner_department", "owner_org", "deadline", "status"]
    list_filter = ["source", "status"]
