"""API serializers: org units, the catalogue, data values, and the shapes of the aggregation
and import answers. Codes, not database ids, identify things across systems."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from weijian.data.models import DataValue, ImportJob
from weijian.indicators.expressions import ExpressionError
from weijian.indicators.expressions import parse as parse_expression
from weijian.indicators.models import DataElement, Indicator
from weijian.orgs.models import OrgUnit


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code",
        queryset=OrgUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text="上级机构编码；省级等顶层单位为空",
    )
    level_name = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = [
            "code",
            "name",
            "short_name",
            "level",
            "level_name",
            "parent",
            "inst_type",
            "grade",
            "ownership",
            "beds",
            "active",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Lists annotate parent_code in SQL (see views.parent_codes); a single unit looks it up.
        data["parent"] = instance.parent_code if hasattr(instance, "parent_code") else _parent_code(instance)
        return data

    def validate_parent(self, parent):
        if self.instance is not None and parent is not None and _parent_code(self.instance) != parent.code:
            raise serializers.ValidationError("不能通过接口移动机构到另一个上级；请用机构导入")
        return parent

    def create(self, validated):
        parent = validated.pop("parent", None)
        if parent is None:
            return OrgUnit.objects.add_root(**validated)
        node = OrgUnit.objects.add_child(parent, validated)
        return node

    def update(self, instance, validated):
        validated.pop("parent", None)
        return super().update(instance, validated)


def _parent_code(unit: OrgUnit) -> str | None:
    if unit.depth <= 1:
        return None
    parent_path = unit.path[: -OrgUnit.steplen]
    return OrgUnit.objects.filter(path=parent_path).values_list("code", flat=True).first()


class DataElementSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataElement
        fields = [
            "code",
            "name",
            "aliases",
            "unit",
            "value_type",
            "aggregation",
            "min_value",
            "max_value",
            "description",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "aliases",
            "category",
            "numerator",
            "denominator",
            "factor",
            "unit",
            "decimals",
            "direction",
            "definition",
            "is_key",
        ]

    def _expression(self, text: str, side: str) -> str:
        try:
            expr = parse_expression(text)
        except ExpressionError as exc:
            raise serializers.ValidationError(str(exc)) from None
        known = set(DataElement.objects.filter(code__in=expr.codes).values_list("code", flat=True))
        missing = sorted(expr.codes - known)
        if missing:
            raise serializers.ValidationError(f"{side}中的数据元编码不存在：{'、'.join(missing)}")
        return text

    def validate_numerator(self, value: str) -> str:
        return self._expression(value, "分子")

    def validate_denominator(self, value: str) -> str:
        return self._expression(value, "分母") if (value or "").strip() else ""


class DataValueSerializer(serializers.ModelSerializer):
    element = serializers.CharField(source="element.code")
    org_unit = serializers.CharField(source="org_unit.code")
    period = serializers.CharField(source="period.code")
    stored_by = serializers.CharField(source="stored_by.username", default=None)

    class Meta:
        model = DataValue
        fields = ["element", "org_unit", "period", "value", "comment", "stored_by", "updated"]


class DataValueInSerializer(serializers.Serializer):
    """One row of a bulk POST (the body is a list of these, or {"values": [...]})."""

    element = serializers.CharField(help_text="数据元编码")
    org_unit = serializers.CharField(help_text="机构编码")
    period = serializers.CharField(help_text="期间编码：2024、2024S1、2024Q1、202401")
    value = serializers.CharField(allow_null=True, help_text="数值；null 或空表示删除")


class SaveAnswerSerializer(serializers.Serializer):
    detail = serializers.CharField()
    saved = serializers.IntegerField()


class RowProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    field = serializers.CharField()
    reason = serializers.CharField()


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="行号（DHIS2 JSON 为第几条）")
    column = serializers.CharField(help_text="列名")
    reason = serializers.CharField()


class FigureSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True, help_text="数值（十进制字符串）；无数据时为 null")
    numerator = serializers.CharField(allow_null=True)
    denominator = serializers.CharField(allow_null=True)
    unit = serializers.CharField()
    text = serializers.CharField(help_text="按委里习惯书写的数值，如 12.3万、95.2%")


class ChangeSerializer(serializers.Serializer):
    current = serializers.CharField(allow_null=True, help_text="本期数值")
    base = serializers.CharField(allow_null=True, help_text="上年同期数值")
    delta = serializers.CharField(allow_null=True, help_text="百分点差或增长百分比")
    kind = serializers.CharField(help_text="percent（增长%）或 points（百分点）")
    text = serializers.CharField()
    direction = serializers.CharField(allow_null=True, help_text="up、down，持平或无可比数据时为 null")


class BreakdownRowSerializer(FigureSerializer):
    org_unit = serializers.CharField()
    org_unit_name = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)


class AnalyticsSerializer(serializers.Serializer):
    target = serializers.DictField()
    org_unit = serializers.DictField()
    period = serializers.DictField()
    figure = FigureSerializer()
    yoy = ChangeSerializer()
    breakdown = BreakdownRowSerializer(many=True)


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = [
            "id",
            "file_name",
            "file_format",
            "at",
            "status",
            "progress",
            "rows_total",
            "rows_applied",
            "rows_rejected",
            "errors",
            "error_counts",
        ]


class ImportAnswerSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.CharField(
        help_text="queued、running、applied、partial、rejected、failed、interrupted"
    )
    progress = serializers.IntegerField(help_text="进度（百分比）")
    message = serializers.CharField()
    rows_total = serializers.IntegerField()
    rows_applied = serializers.IntegerField()
    rows_rejected = serializers.IntegerField()
    errors = ImportProblemSerializer(many=True, help_text="前200处错误")
    error_counts = serializers.DictField(child=serializers.IntegerField(), help_text="按原因统计的错误数")


class TokenInSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenAnswerSerializer(serializers.Serializer):
    token = serializers.CharField()


def decimal_or_none(value) -> Decimal | None:
    return None if value is None else Decimal(value)
