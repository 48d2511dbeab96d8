"""The commission's organisation: the org-unit hierarchy, institutions, org groups,
and the commission's own departments (科室) and leaders (委领导)."""

from __future__ import annotations

from django.db import models, transaction
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from weijian.accounts import scope


class Level(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "县(市、区)"
    TOWNSHIP = 4, "乡镇(街道)"
    INSTITUTION = 5, "机构"


class InstitutionType(models.TextChoices):
    GENERAL_HOSPITAL = "general", "综合医院"
    TCM_HOSPITAL = "tcm", "中医院"
    MCH = "mch", "妇幼保健院"
    SPECIALTY = "specialty", "专科医院"
    CDC = "cdc", "疾控中心"
    TOWNSHIP_HC = "township_hc", "乡镇卫生院"
    COMMUNITY_HC = "community_hc", "社区卫生服务中心"
    VILLAGE_CLINIC = "village", "村卫生室"
    PRIVATE_HOSPITAL = "private", "民营医院"
    OTHER = "other", "其他"


class Grade(models.TextChoices):
    TERTIARY = "3", "三级"
    SECONDARY = "2", "二级"
    PRIMARY = "1", "一级"
    UNGRADED = "0", "未定级"


class Ownership(models.TextChoices):
    PUBLIC = "public", "公立"
    PRIVATE = "private", "民营"


def ancestor_paths(path: str) -> list[str]:
    """The paths of a node and of every node above it, root first."""
    step = OrgUnit.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


class OrgUnitQuerySet(MP_NodeQuerySet):
    def for_user(self, user) -> OrgUnitQuerySet:
        """The org units this user may read."""
        return self.filter(scope.subtree_q(user))

    def writable_by(self, user) -> OrgUnitQuerySet:
        """The org units whose data this user may enter or import."""
        return self.filter(scope.writable_subtree_q(user))

    def subtree_of(self, node: OrgUnit) -> OrgUnitQuerySet:
        return self.filter(path__startswith=node.path)


class OrgUnitManager(MP_NodeManager):
    def get_queryset(self) -> OrgUnitQuerySet:
        return OrgUnitQuerySet(self.model).order_by("path")

    def for_user(self, user) -> OrgUnitQuerySet:
        return self.get_queryset().for_user(user)

    def writable_by(self, user) -> OrgUnitQuerySet:
        return self.get_queryset().writable_by(user)

    def subtree_of(self, node: OrgUnit) -> OrgUnitQuerySet:
        return self.get_queryset().subtree_of(node)

    def move(self, node, target, pos=None):
        """Move `node` and its branch (treebeard), then tell the receivers of `units_moved`."""
        from .signals import units_moved

        with transaction.atomic():
            super().move(node, target, pos)
            node.refresh_from_db()
            units_moved.send(sender=self.model, unit=node)


class OrgUnit(MP_Node):
    """A node of the hierarchy: 省 → 市 → 县 → 乡镇 → 机构, any depth.

    The materialized path (treebeard) makes a subtree one indexed prefix query.
    Institution attributes are blank on administrative units.
    """

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    inst_type = models.CharField("机构类型", max_length=20, choices=InstitutionType.choices, blank=True)
    grade = models.CharField("等级", max_length=2, choices=Grade.choices, blank=True)
    ownership = models.CharField("所有制", max_length=10, choices=Ownership.choices, blank=True)
    beds = models.PositiveIntegerField("编制床位", null=True, blank=True)
    active = models.BooleanField("在用", default=True)

    node_order_by = ["code"]
    objects = OrgUnitManager()

    class Meta:
        verbose_name = "组织机构"
        verbose_name_plural = "组织机构"

    def __str__(self) -> str:
        return self.name

    @property
    def is_institution(self) -> bool:
        return self.level == Level.INSTITUTION

    def subtree(self) -> OrgUnitQuerySet:
        """This unit and everything below it."""
        return OrgUnit.objects.filter(path__startswith=self.path)

    def contains(self, other: OrgUnit) -> bool:
        return other.path.startswith(self.path)

    def ancestors_and_self(self) -> list[OrgUnit]:
        return [*OrgUnit.objects.get_ancestors(self), self]


class OrgGroup(models.Model):
    """A named set of org units: "二级以上公立医院", "医共体成员" ..."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    members = models.ManyToManyField(OrgUnit, related_name="groups", verbose_name="成员", blank=True)

    class Meta:
        verbose_name = "机构分组"
        verbose_name_plural = "机构分组"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department (科室/处室) of the commission itself, owner of plan tasks."""

    name = models.CharField("名称", max_length=50, unique=True)
    aliases = models.JSONField("别名", default=list, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "科室"
        verbose_name_plural = "科室"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Leader(models.Model):
    """A commission leader (委领导) named as 责任领导 on plan tasks."""

    name = models.CharField("姓名", max_length=20, unique=True)
    title = models.CharField("职务", max_length=50, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "委领导"
        verbose_name_plural = "委领导"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name
