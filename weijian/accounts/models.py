"""Users with a role and an org scope, and the audit trail of logins and changes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    LEADER = "leader", _("委领导")
    DEPARTMENT = "dept", _("科室")
    COUNTY = "county", _("县区用户")
    INSTITUTION = "inst", _("机构用户")


class User(AbstractUser):
    """A Weijian user. What it may see and change follows from `role` and `org_unit`
    (the root of its subtree) or `department`; the rules live in accounts.scope."""

    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.INSTITUTION)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name="所属机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="所属科室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    leader = models.OneToOneField(
        "orgs.Leader",
        verbose_name="对应委领导",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    is_demo = models.BooleanField("演示账户", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.first_name or self.username


class AuditEvent(models.Model):
    """One audited event: a login, a failed login, or a change to a record."""

    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        IMPORT = "import", _("导入")

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True)
    old_value = models.TextField("原值", blank=True)
    new_value = models.TextField("新值", blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)
    ip_address = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"


def record(
    user,
    action: str,
    obj=None,
    *,
    object_type: str = "",
    object_id: str = "",
    old="",
    new="",
    detail: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Write one audit event. `obj`, when given, names the object type and id."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        detail=detail[:500],
        ip_address=ip,
    )
