"""REST API of plans, mounted at /api/plans/: plans, tasks (with status), targets (with actual
and the units short of a per-unit target), 督办 items with their steps, problem items; and a
progress report posted on a task by its department. Every queryset goes through `for_user`."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from weijian.api.errors import ApiError
from weijian.orgs.models import OrgUnit

from . import progress, scope, tracking
from .models import Plan, ProblemItem, SupervisionItem, SupervisionStep, Target, Task


def _visible(user) -> set[int] | None:
    if scope.reads_whole_plan(user):
        return None
    return set(OrgUnit.objects.for_user(user).values_list("pk", flat=True))


class PlanSerializer(serializers.ModelSerializer):
    org_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "title",
            "year",
            "region",
            "org_unit",
            "source_name",
            "report_interval",
            "created",
            "revised",
        ]


class TaskSerializer(serializers.ModelSerializer):
    leaders = serializers.SerializerMethodField()
    departments = serializers.SerializerMethodField()
    lead_departments = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    missing_reports = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "num",
            "title",
            "leaders",
            "departments",
            "lead_departments",
            "deadline",
            "active",
            "status",
            "status_label",
            "reason",
            "percent",
            "missing_reports",
        ]

    def _p(self, obj) -> tracking.TaskProgress | None:
        return self.context.get("progress", {}).get(obj.pk)

    def get_leaders(self, obj) -> list[str]:
        return obj.leader_names()

    def get_departments(self, obj) -> list[str]:
        return obj.department_names(lead=False)

    def get_lead_departments(self, obj) -> list[str]:
        return obj.department_names(lead=True)

    def get_status(self, obj) -> str | None:
        p = self._p(obj)
        return p.status if p else None

    def get_status_label(self, obj) -> str | None:
        p = self._p(obj)
        return p.status_label if p else None

    def get_reason(self, obj) -> str | None:
        """Why the task has its status: expected progress by now against reported or measured."""
        p = self._p(obj)
        return p.reason if p else None

    def get_percent(self, obj) -> int | None:
        p = self._p(obj)
        return p.percent if p else None

    def get_missing_reports(self, obj) -> list[str]:
        p = self._p(obj)
        return p.missing_reports if p else []


class TargetSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    org_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    task_num = serializers.CharField(source="task.num", read_only=True, default=None)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "plan",
            "task",
            "task_num",
            "indicator",
            "phrase",
            "text",
            "cmp",
            "value",
            "unit",
            "scope",
            "org_unit",
            "deadline",
            "active",
            "progress",
        ]

    def get_progress(self, obj) -> dict:
        tp = self.context["progress"][obj.pk]
        return {
            "actual": None if tp.actual is None else str(tp.actual),
            "met": tp.met,
            "status": tp.status,
            "status_label": tp.status_label,
            "reason": tp.reason,
            "rag": tp.rag,
            "due_soon": tp.due_soon,
            "units": [
                {
                    "org_unit": u.org_unit.code,
                    "name": u.org_unit.name,
                    "actual": None if u.actual is None else str(u.actual),
                    "met": u.met,
                }
                for u in tp.units
            ],
        }


class StepSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", default=None)

    class Meta:
        model = SupervisionStep
        fields = ["stage", "user", "at", "text", "approved"]


class SupervisionSerializer(serializers.ModelSerializer):
    assignee_department = serializers.StringRelatedField()
    assignee_org = serializers.SlugRelatedField(slug_field="code", read_only=True)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = SupervisionItem
        fields = [
            "id",
            "plan",
            "task",
            "title",
            "description",
            "assignee_department",
            "assignee_org",
            "deadline",
            "stage",
            "raised_at",
            "closed_at",
            "steps",
        ]


class ProblemSerializer(serializers.ModelSerializer):
    owner_department = serializers.StringRelatedField()
    owner_org = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ProblemItem
        fields = [
            "id",
            "plan",
            "source",
            "source_name",
            "description",
            "owner_department",
            "owner_org",
            "deadline",
            "status",
            "measures",
            "rectified_at",
        ]


class ReportSerializer(serializers.Serializer):
    period_code = serializers.CharField()
    percent = serializers.IntegerField(min_value=0, max_value=100)
    text = serializers.CharField()


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanSerializer

    def get_queryset(self):
        return Plan.objects.for_user(self.request.user).select_related("org_unit")


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Tasks the user may read; `?plan=<id>` limits to one plan, `?mine=1` to the user's own."""

    serializer_class = TaskSerializer

    def get_queryset(self):
        qs = (
            Task.objects.for_user(self.request.user)
            .select_related("plan")
            .prefetch_related("taskleader_set__leader", "taskdepartment_set__department")
            .order_by("plan", "order")
        )
        plan = self.request.query_params.get("plan", "")
        if plan.isdigit():
            qs = qs.filter(plan_id=int(plan))
        if self.request.query_params.get("mine") == "1":
            qs = qs.mine(self.request.user)
        return qs

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        ctx = self._progress_context(page)
        data = TaskSerializer(page, many=True, context=ctx).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        task = self.get_object()
        return Response(TaskSerializer(task, context=self._progress_context([task])).data)

    def _progress_context(self, tasks) -> dict:
        ctx = self.get_serializer_context()
        if scope.reads_whole_plan(self.request.user) and tasks:
            items = tracking.tasks_with_progress(Task.objects.filter(pk__in=[t.pk for t in tasks]))
            ctx["progress"] = {i.task.pk: i for i in items}
        return ctx

    @extend_schema(request=ReportSerializer, responses={201: dict})
    @action(detail=True, methods=["post"])
    def reports(self, request, pk=None):
        """进度填报 by the task's department: {"period_code": "202403", "percent": 40, "text": "..."}."""
        task = self.get_object()
        if not scope.can_change_task(request.user, task):
            raise PermissionDenied("只有该任务的责任科室可以填报进度。")
        ser = ReportSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            report = progress.submit_report(request.user, task, **ser.validated_data)
        except progress.ProgressError as exc:
            raise ApiError(str(exc), [{"row": None, "field": None, "reason": str(exc)}]) from None
        return Response(
            {
                "id": report.pk,
                "task": task.pk,
                "period_code": report.period_code,
                "percent": report.percent,
                "reported_at": timezone.localtime(report.reported_at),
            },
            status=status.HTTP_201_CREATED,
        )


class TargetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TargetSerializer

    def get_queryset(self):
        qs = Target.objects.for_user(self.request.user).select_related(
            "indicator", "org_unit", "plan", "task"
        )
        plan = self.request.query_params.get("plan", "")
        if plan.isdigit():
            qs = qs.filter(plan_id=int(plan))
        return qs

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = TargetSerializer(page, many=True, context=self._progress_context(page)).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        target = self.get_object()
        return Response(TargetSerializer(target, context=self._progress_context([target])).data)

    def _progress_context(self, targets) -> dict:
        """The progress of a page of targets, their actuals read in one batch."""
        user = self.request.user
        viewer = None if scope.reads_whole_plan(user) else user.org_unit
        found = tracking.targets_progress(targets, visible_units=_visible(user), viewer_unit=viewer)
        return {**self.get_serializer_context(), "progress": {tp.target.pk: tp for tp in found}}


class SupervisionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SupervisionSerializer

    def get_queryset(self):
        return (
            SupervisionItem.objects.for_user(self.request.user)
            .select_related("assignee_department", "assignee_org")
            .prefetch_related("steps__user")
        )


class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProblemSerializer

    def get_queryset(self):
        return ProblemItem.objects.for_user(self.request.user).select_related("owner_department", "owner_org")


router = DefaultRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("tasks", TaskViewSet, basename="plan-task")
router.register("targets", TargetViewSet, basename="plan-target")
router.register("supervision", SupervisionViewSet, basename="plan-supervision")
router.register("problems", ProblemViewSet, basename="plan-problem")
