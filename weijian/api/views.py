"""REST API views. Scope comes only from `accounts.scope` (and OrgUnit.objects.for_user): a unit
outside the user's scope is "not found", never its data. Writes to the catalogue and the
hierarchy are for administrators; data values are written through `data.entry.save_values`,
files through `data.imports.import_file`, as the pages do."""

from __future__ import annotations

from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, parser_classes, permission_classes, throttle_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from weijian.accounts.scope import is_admin
from weijian.data import periods
from weijian.data.clean import NumberError, code, is_percent, parse_decimal
from weijian.data.exports import plain
from weijian.data.models import DataValue, DataValueAudit, ImportJob
from weijian.data.problems import ProblemLog
from weijian.indicators.models import DataElement, Indicator
from weijian.orgs.models import OrgUnit
from weijian.web import dashboard
from weijian.web.client_ip import client_ip

from . import serializers as s
from .errors import ApiError


class AdminWrites(permissions.BasePermission):
    """Everyone signed in reads; only administrators change."""

    message = "只有系统管理员可以修改"

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_admin(request.user)


def parent_codes(qs):
    """Annotate each unit with its parent's code in SQL (the parent's path is the unit's path
    less one step), so a list costs one query."""
    parent = OrgUnit.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - OrgUnit.steplen)
    )
    return qs.annotate(parent_code=Subquery(parent.values("code")[:1]))


@extend_schema(tags=["机构"])
class OrgUnitViewSet(viewsets.ModelViewSet):
    """Org units the user may read (its subtree; everything for read-all roles).
    Filters: ?level=3, ?parent=CODE (direct children), ?q=name."""

    serializer_class = s.OrgUnitSerializer
    permission_classes = [permissions.IsAuthenticated, AdminWrites]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        qs = OrgUnit.objects.for_user(self.request.user)
        params = self.request.query_params
        if params.get("level"):
            if not params["level"].isdigit():
                raise ApiError(f"参数 level 应为 1 到 5 的数字，收到“{params['level']}”")
            qs = qs.filter(level=int(params["level"]))
        if params.get("parent"):
            parent = OrgUnit.objects.for_user(self.request.user).filter(code=params["parent"]).first()
            if parent is None:
                return qs.none()
            qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
        if params.get("q"):
            qs = qs.filter(name__icontains=params["q"])
        return parent_codes(qs)


@extend_schema(tags=["指标目录"])
class DataElementViewSet(viewsets.ModelViewSet):
    queryset = DataElement.objects.order_by("code")
    serializer_class = s.DataElementSerializer
    permission_classes = [permissions.IsAuthenticated, AdminWrites]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"


@extend_schema(tags=["指标目录"])
class IndicatorViewSet(viewsets.ModelViewSet):
    queryset = Indicator.objects.order_by("category", "code")
    serializer_class = s.IndicatorSerializer
    permission_classes = [permissions.IsAuthenticated, AdminWrites]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"


_ROW_FIELDS = {"element": "数据元", "org_unit": "机构", "period": "期间", "value": "数值"}
_FIELD_OF_COLUMN = {label: name for name, label in _ROW_FIELDS.items()}


@extend_schema(tags=["数据"])
class DataValueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Data values of the user's scope; filter by ?element=CODE&org_unit=CODE&period=CODE
    (org_unit with ?subtree=1 for everything below it). POST a list of rows to save them all or
    none: [{"element", "org_unit", "period", "value"}]."""

    serializer_class = s.DataValueSerializer

    def get_queryset(self):
        qs = (
            DataValue.objects.for_user(self.request.user)
            .select_related("element", "org_unit", "period", "stored_by")
            .order_by("period__start", "org_unit__path", "element__code")
        )
        params = self.request.query_params
        if params.get("element"):
            qs = qs.filter(element__code=params["element"])
        if params.get("period"):
            try:
                qs = qs.filter(period__code=periods.parse(params["period"]).code)
            except periods.PeriodError as exc:
                raise ApiError(str(exc)) from None
        if params.get("org_unit"):
            org = OrgUnit.objects.for_user(self.request.user).filter(code=params["org_unit"]).first()
            if org is None:
                # Out of scope and unknown look the same: no values.
                return qs.none()
            qs = (
                qs.filter(org_unit__path__startswith=org.path)
                if params.get("subtree")
                else qs.filter(org_unit=org)
            )
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("element", str),
            OpenApiParameter("org_unit", str),
            OpenApiParameter("period", str),
            OpenApiParameter("subtree", bool),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.DataValueInSerializer(many=True),
        responses={200: s.SaveAnswerSerializer, 400: s.RowProblemSerializer(many=True)},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = request.data
        if isinstance(body, dict):
            body = body.get("values", [body] if "element" in body else None)
        if not isinstance(body, list) or not body:
            raise ApiError(
                '请提交数据行的列表：[{"element": 数据元编码, "org_unit": 机构编码, '
                '"period": 期间, "value": 数值}]'
            )
        rows, problems = _read_rows(request.user, body)
        if problems:
            raise _refused(problems)
        from weijian.data.entry import DataError, save_values

        try:
            save_values(request.user, rows, source=DataValueAudit.Source.API)
        except DataError as exc:
            raise _refused(
                {"row": p.row, "field": _FIELD_OF_COLUMN.get(p.column, p.column), "reason": str(p)}
                for p in exc.problems
            ) from None
        return Response({"detail": f"已保存 {len(rows)} 条数据", "saved": len(rows)})


def _refused(errors) -> ApiError:
    """The 400 for refused rows, of bounded size: the first errors in full, then a count per
    reason (`error_counts`) for all of them."""
    log = ProblemLog()
    log.extend(errors)
    detail = f"{log.total} 处错误，未保存任何数据：" + log.shown[0]["reason"]
    if log.hidden:
        detail += "。" + log.more_text()
    exc = ApiError(detail, log.shown)
    exc.error_counts = log.summary()
    return exc


def _read_rows(user, body: list) -> tuple[list, list[dict]]:
    """Resolve each row's codes within the user's write scope and parse its value; every
    problem names the row (from 1), the field and the reason."""
    problems: list[dict] = []

    def bad(row: int, field: str, reason: str) -> None:
        problems.append(
            {"row": row, "field": field, "reason": f"第{row}行{_ROW_FIELDS.get(field, field)}：{reason}"}
        )

    items = [item if isinstance(item, dict) else {} for item in body]
    element_codes = {code(i.get("element")) for i in items}
    org_codes = {code(i.get("org_unit")) for i in items}
    elements = {e.code: e for e in DataElement.objects.filter(code__in=element_codes)}
    orgs = {o.code: o for o in OrgUnit.objects.writable_by(user).filter(code__in=org_codes)}
    rows = []
    for n, (raw, item) in enumerate(zip(body, items, strict=True), start=1):
        if not isinstance(raw, dict):
            bad(n, "", "应为包含 element、org_unit、period、value 的对象")
            continue
        missing = [f for f in ("element", "org_unit", "period", "value") if f not in item]
        for f in missing:
            bad(n, f, "缺少此项")
        if missing:
            continue
        element = elements.get(code(item["element"]))
        if element is None:
            bad(n, "element", f"数据元编码“{item['element']}”不存在")
        org = orgs.get(code(item["org_unit"]))
        if org is None:
            bad(n, "org_unit", f"机构编码“{item['org_unit']}”不存在或您无权为它填报")
        try:
            period_code = periods.parse(str(item["period"])).code
        except periods.PeriodError as exc:
            bad(n, "period", str(exc))
            period_code = None
        try:
            number = parse_decimal(item["value"], blank=True, percent=is_percent(element))
        except NumberError as exc:
            bad(n, "value", str(exc))
            continue
        if element is not None and org is not None and period_code is not None:
            rows.append((element, org, period_code, number))
    return rows, problems


def _number(value) -> str | None:
    """Decimals travel as strings ("400", "40.5"), as data values do: no float rounding."""
    return None if value is None else plain(value)


def _figure(fig) -> dict:
    from weijian.data.formatting import format_figure

    return {
        "value": _number(fig.value),
        "numerator": _number(fig.numerator),
        "denominator": _number(fig.denominator),
        "unit": fig.unit,
        "text": format_figure(fig.value, fig.unit, fig.decimals),
    }


@extend_schema(
    tags=["数据"],
    responses=s.AnalyticsSerializer,
    parameters=[
        OpenApiParameter("target", str, required=True, description="指标或数据元编码"),
        OpenApiParameter("org_unit", str, required=True, description="机构编码"),
        OpenApiParameter("period", str, required=True, description="期间编码：2024、2024Q1、202401 …"),
    ],
)
@api_view(["GET"])
def analytics(request: Request) -> Response:
    """One indicator or element for one unit and period: value, numerator, denominator, 同比,
    and the breakdown by the unit's children (rates recomputed from summed parts)."""
    from weijian.data import aggregate

    params = request.query_params
    missing = [name for name in ("target", "org_unit", "period") if not params.get(name)]
    if missing:
        raise ApiError(
            "缺少参数：" + "、".join(missing),
            [{"row": None, "field": m, "reason": "缺少此参数"} for m in missing],
        )
    target = dashboard.resolve_target(params["target"])
    if target is None:
        raise ApiError(
            f"没有编码为“{params['target']}”的指标或数据元",
            [{"row": None, "field": "target", "reason": "编码不存在"}],
        )
    try:
        period_code = periods.parse(params["period"]).code
    except periods.PeriodError as exc:
        raise ApiError(str(exc), [{"row": None, "field": "period", "reason": str(exc)}]) from None
    org = OrgUnit.objects.for_user(request.user).filter(code=params["org_unit"]).first()
    if org is None:
        raise ApiError(f"机构“{params['org_unit']}”不存在或不在您的权限范围内", status_code=404)
    change = aggregate.yoy(target, org, period_code)
    return Response(
        {
            "target": {
                "code": target.code,
                "name": target.name,
                "kind": "indicator" if isinstance(target, Indicator) else "element",
            },
            "org_unit": {"code": org.code, "name": org.name},
            "period": {"code": period_code, "label": periods.label(period_code)},
            "figure": _figure(aggregate.value(target, org, period_code)),
            "yoy": {
                "current": _number(change.current.value),
                "base": _number(change.base.value),
                "delta": _number(change.delta),
                "kind": change.kind,
                "text": change.text,
                "direction": change.direction,
            },
            "breakdown": [
                {
                    "org_unit": r.org_unit.code,
                    "org_unit_name": r.org_unit.name,
                    "rank": r.rank,
                    **_figure(r.figure),
                }
                for r in aggregate.breakdown(target, org, period_code)
            ],
        }
    )


@extend_schema(tags=["数据"], methods=["GET"], responses=s.ImportJobSerializer(many=True))
@extend_schema(
    tags=["数据"],
    methods=["POST"],
    responses={200: s.ImportAnswerSerializer},
    request={
        "multipart/form-data": inline_serializer(
            "ImportUpload",
            {
                "file": serializers.FileField(help_text="CSV、Excel 模板、DHIS2 JSON/CSV"),
                "partial": serializers.BooleanField(required=False, help_text="只导入正确的行"),
            },
        )
    },
)
@api_view(["GET", "POST"])
@parser_classes([MultiPartParser, FormParser])
def imports(request: Request) -> Response:
    """POST a file (multipart, field "file"; "partial"=true to apply the valid rows only):
    the answer lists every rejected row. GET lists the user's own imports."""
    if request.method == "GET":
        jobs = ImportJob.objects.filter(user=request.user).order_by("-at")[:50]
        return Response(s.ImportJobSerializer(jobs, many=True).data)
    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError(
            "请以 multipart/form-data 上传文件，字段名为 file",
            [{"row": None, "field": "file", "reason": "缺少文件"}],
        )
    partial = str(request.data.get("partial", "")).strip().lower() in {"1", "true", "yes", "on"}
    from django.conf import settings

    from weijian.data.imports import import_file
    from weijian.data.tasks import start_import

    if upload.size > settings.IMPORT_BACKGROUND_BYTES:
        job = start_import(upload, upload.name, request.user, partial=partial)
        return Response(_job_body(job), status=status.HTTP_202_ACCEPTED)
    result = import_file(upload.read(), upload.name, request.user, partial=partial)
    return Response(
        _job_body(result.job),
        status=status.HTTP_200_OK
        if result.rows_applied or not result.errors
        else status.HTTP_400_BAD_REQUEST,
    )


def _job_body(job: ImportJob) -> dict:
    """An import's answer, of bounded size: the first errors in full, counts for all."""
    return {
        "job": job.pk,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "rows_total": job.rows_total,
        "rows_applied": job.rows_applied,
        "rows_rejected": job.rows_rejected,
        "errors": [{"row": e["row"], "column": e["column"], "reason": e["reason"]} for e in job.errors or []],
        "error_counts": job.error_counts or {},
    }


@extend_schema(tags=["数据"], responses={200: s.ImportAnswerSerializer})
@api_view(["GET"])
def import_job(request: Request, pk: int) -> Response:
    """One of the user's imports: its status and progress while it runs in the background."""
    from weijian.data.imports import recover_interrupted

    recover_interrupted()
    job = ImportJob.objects.filter(pk=pk).first()
    if job is None or not (job.user_id == request.user.pk or is_admin(request.user)):
        raise ApiError("没有这条导入记录", status_code=404)
    return Response(_job_body(job))


class TokenThrottle(AnonRateThrottle):
    """Token requests per address: enough for scripts, too few for password guessing."""

    scope = "token"
    rate = "10/minute"

    def get_ident(self, request) -> str:
        return client_ip(request) or ""


@extend_schema(tags=["认证"], request=s.TokenInSerializer, responses=s.TokenAnswerSerializer)
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@throttle_classes([TokenThrottle])
def token(request: Request) -> Response:
    """Exchange a username and password for an API token (Authorization: Token <token>)."""
    data = s.TokenInSerializer(data=request.data)
    if not data.is_valid():
        raise ApiError(
            "请提供用户名（username）和密码（password）",
            [{"row": None, "field": f, "reason": "缺少此项"} for f in data.errors],
        )
    try:
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
    except AxesBackendPermissionDenied:
        raise ApiError(
            "登录失败次数过多，该账户已暂时锁定，请15分钟后再试或联系系统管理员", status_code=429
        ) from None
    if user is None or getattr(request._request, "axes_locked_out", False):
        raise ApiError("用户名或密码不正确", status_code=400)
    if not user.is_active:
        raise ApiError("该账户已停用", status_code=403)
    tok, _ = Token.objects.get_or_create(user=user)
    return Response({"token": tok.key})
