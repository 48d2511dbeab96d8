"""The standard org groups, rebuilt from the institution registry:

    SECONDARY_PUBLIC_HOSPITALS  二级以上公立医院  public general/TCM/specialty/MCH hospitals graded 二级 or 三级
    MEDICAL_COMMUNITY           医共体成员        per county: the county general and TCM hospitals, the MCH
                                                  hospital, every 乡镇卫生院, 社区卫生服务中心 and 村卫生室

Rebuilding replaces the members of these two groups only; other groups are left alone.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from .models import Grade, InstitutionType, Level, OrgGroup, OrgUnit, Ownership

SECONDARY_PUBLIC_HOSPITALS = ("SECONDARY_PUBLIC_HOSPITALS", "二级以上公立医院")
MEDICAL_COMMUNITY = ("MEDICAL_COMMUNITY", "医共体成员")

HOSPITAL_TYPES = [
    InstitutionType.GENERAL_HOSPITAL,
    InstitutionType.TCM_HOSPITAL,
    InstitutionType.SPECIALTY,
    InstitutionType.MCH,
]
PRIMARY_CARE_TYPES = [
    InstitutionType.TOWNSHIP_HC,
    InstitutionType.COMMUNITY_HC,
    InstitutionType.VILLAGE_CLINIC,
]


def secondary_public_hospitals() -> Q:
    return Q(
        level=Level.INSTITUTION,
        active=True,
        ownership=Ownership.PUBLIC,
        inst_type__in=HOSPITAL_TYPES,
        grade__in=[Grade.SECONDARY, Grade.TERTIARY],
    )


def medical_community_members():
    """County-level public hospitals and all primary care below the counties (not city hospitals)."""
    counties = list(OrgUnit.objects.filter(level=Level.COUNTY).values_list("path", flat=True))
    if not counties:
        return OrgUnit.objects.none()
    under_county = Q()
    for path in counties:
        under_county |= Q(path__startswith=path)
    county_hospitals = Q(
        ownership=Ownership.PUBLIC,
        inst_type__in=[InstitutionType.GENERAL_HOSPITAL, InstitutionType.TCM_HOSPITAL, InstitutionType.MCH],
    )
    return OrgUnit.objects.filter(under_county, Q(level=Level.INSTITUTION, active=True)).filter(
        county_hospitals | Q(inst_type__in=PRIMARY_CARE_TYPES)
    )


def rebuild_standard_groups() -> dict[str, int]:
    """(Re)build the standard groups; returns group name → member count."""
    counts = {}
    with transaction.atomic():
        for (code, name), members in (
            (SECONDARY_PUBLIC_HOSPITALS, OrgUnit.objects.filter(secondary_public_hospitals())),
            (MEDICAL_COMMUNITY, medical_community_members()),
        ):
            group, _ = OrgGroup.objects.update_or_create(code=code, defaults={"name": name})
            ids = list(members.values_list("pk", flat=True))
            group.members.set(ids)
            counts[name] = len(ids)
    return counts
