"""REST API of assessment, mounted at /api/assessment/: schemes (with their items and rules),
results (a unit's total, grade, rank and per-item explanation), the scheme report (every unit,
as `weijian assess score --format json` prints it), a reviewer's score on a qualitative item,
and an appeal filed by a unit. Every queryset goes through `for_user`; every action asks
workflow.py and answers a refusal as a Chinese 403/400."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from weijian.api.errors import ApiError

from . import services, workflow
from .models import Item, ItemScore, Result, Scheme


class ItemSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "num",
            "name",
            "category",
            "points",
            "source",
            "indicator",
            "rule",
            "criterion",
            "is_bonus",
        ]


class SchemeSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Scheme
        fields = [
            "id",
            "name",
            "year",
            "kind",
            "version",
            "stage",
            "area",
            "missing_policy",
            "grading",
            "appeal_deadline",
        ]


class SchemeDetailSerializer(SchemeSerializer):
    items = ItemSerializer(many=True, read_only=True)

    class Meta(SchemeSerializer.Meta):
        fields = [*SchemeSerializer.Meta.fields, "items"]


class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return (
            Scheme.objects.for_user(self.request.user)
            .select_related("area")
            .prefetch_related("items__category")
        )

    def get_serializer_class(self):
        return SchemeDetailSerializer if self.action == "retrieve" else SchemeSerializer

    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """Every unit's total, grade, rank and items with the explanation fields."""
        scheme = self.get_object()
        if not workflow.can_see_ranking(request.user, scheme):
            raise PermissionDenied("考核结果通报前，您只能查看本单位的得分。")
        return Response(services.report(scheme))


class ResultViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        qs = Result.objects.for_user(self.request.user).select_related("scheme", "org_unit")
        scheme = self.request.query_params.get("scheme")
        return qs.filter(scheme_id=scheme) if scheme and scheme.isdigit() else qs

    def get_serializer_class(self):
        return ResultSerializer

    def retrieve(self, request, pk=None):
        result = self.get_object()
        data = services.report(result.scheme, [result])["units"][0]
        if not workflow.can_see_ranking(request.user, result.scheme):
            data.pop("rank")
            data.pop("peer_rank")
        return Response({"id": result.pk, "scheme": result.scheme_id, **data})

    @action(detail=True, methods=["post"], url_path="review")
    def review(self, request, pk=None):
        """A reviewer's score of one qualitative item: {"item": id, "level" or "points", "reason"}."""
        result = self.get_object()
        score = _score(result, request.data.get("item"))
        try:
            workflow.review(
                request.user,
                score,
                level=str(request.data.get("level") or ""),
                points=_decimal(request.data.get("points"), "points"),
                reason=str(request.data.get("reason") or ""),
            )
        except workflow.WorkflowError as e:
            raise _error(e) from None
        score.refresh_from_db()
        return Response(
            {"item": score.item_id, "points": services._s(score.points), "computation": score.computation}
        )

    @action(detail=True, methods=["post"], url_path="appeal")
    def appeal(self, request, pk=None):
        """A unit's appeal against one item: {"item": id, "text", "requested_points"?}."""
        result = self.get_object()
        score = _score(result, request.data.get("item"))
        try:
            a = workflow.file_appeal(
                request.user,
                score,
                str(request.data.get("text") or ""),
                _decimal(request.data.get("requested_points"), "requested_points"),
            )
        except workflow.WorkflowError as e:
            raise _error(e) from None
        return Response({"id": a.pk, "status": a.status}, status=201)


class ResultSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="org_unit.name")
    code = serializers.CharField(source="org_unit.code")
    rank = serializers.SerializerMethodField()

    class Meta:
        model = Result
        fields = ["id", "scheme", "unit", "code", "points", "full", "grade", "rank", "veto"]

    def get_rank(self, obj):
        user = self.context["request"].user
        return obj.rank if workflow.can_see_ranking(user, obj.scheme) else None


def _error(e: workflow.WorkflowError) -> ApiError:
    return ApiError(str(e), status_code=403 if isinstance(e, workflow.Refused) else 400)


def _score(result: Result, item) -> ItemScore:
    try:
        return result.scores.select_related("item", "result__scheme", "result__org_unit").get(
            item_id=int(item)
        )
    except (TypeError, ValueError, ItemScore.DoesNotExist):
        raise ApiError(f"字段“item”：考核细则“{item}”不在该单位的得分中。") from None


def _decimal(v, field: str) -> Decimal | None:
    if v in (None, ""):
        return None
    try:
        return Decimal(str(v))
    except InvalidOperation:
        raise ApiError(f"字段“{field}”应为数字，收到“{str(v)[:20]}”。") from None


router = DefaultRouter()
router.register("schemes", SchemeViewSet, basename="assessment-scheme")
router.register("results", ResultViewSet, basename="assessment-result")
