"""The demo accounts, one per role, all with the password `weijian-demo` and marked 演示账户.
Only the demo loader creates them."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from weijian.accounts.models import Role, User
from weijian.orgs.models import Department, Leader, OrgUnit

DEMO_PASSWORD = "weijian-demo"
DEMO_COUNTY = "990121"  # 云川县
DEMO_INSTITUTION = "990121001"  # 云川县人民医院
DEMO_DEPARTMENT = "基层卫生健康科"
DEMO_LEADER = "林建华"


def build_demo_users() -> list[User]:
    county = OrgUnit.objects.get(code=DEMO_COUNTY)
    institution = OrgUnit.objects.get(code=DEMO_INSTITUTION)
    department = Department.objects.get(name=DEMO_DEPARTMENT)
    leader = Leader.objects.get(name=DEMO_LEADER)
    # One hash for all five: the password is public anyway, and hashing is deliberately slow.
    password = make_password(DEMO_PASSWORD)
    users = [
        User(username="admin", first_name="系统管理员", role=Role.ADMIN, is_staff=True, is_superuser=True),
        User(username="leader", first_name=leader.name, role=Role.LEADER, leader=leader),
        User(username="dept", first_name="周敏", role=Role.DEPARTMENT, department=department),
        User(username="county", first_name="何俊", role=Role.COUNTY, org_unit=county),
        User(username="inst", first_name="杨帆", role=Role.INSTITUTION, org_unit=institution),
    ]
    for user in users:
        user.password = password
        user.is_demo = True
    return User.objects.bulk_create(users)
