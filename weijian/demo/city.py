"""The demo city's organisation: 示例省 → 示例市 → eight fictional counties and about 150
institutions, plus the commission's departments (科室) and leaders (委领导).

Every name here is invented. The tree is built from a fixed description and a seeded random
generator, so two loads build the same city.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from weijian.orgs.models import Department, Grade, InstitutionType, Leader, Level, OrgUnit, Ownership

PROVINCE = ("990000", "示例省")
CITY = ("990100", "示例市")


@dataclass(frozen=True)
class CountySpec:
    code: str
    name: str
    population: int  # 常住人口 in the first demo year
    townships: int  # 乡镇卫生院
    communities: int  # 社区卫生服务中心
    villages: int  # 村卫生室 (under the first township health centres)
    private: int  # 民营医院
    hospital_grade: str  # grade of the county people's hospital
    quality: float  # 0 (lags behind targets) … 1 (well ahead): drives the demo figures


# 云川县 comes first: the demo county user belongs to it, and a smaller demo (tests) keeps it.
COUNTIES: list[CountySpec] = [
    CountySpec("990121", "云川县", 520_000, 10, 1, 4, 2, Grade.SECONDARY, 0.45),
    CountySpec("990102", "清溪区", 720_000, 2, 7, 0, 3, Grade.TERTIARY, 0.85),
    CountySpec("990103", "南屏区", 580_000, 3, 5, 0, 2, Grade.TERTIARY, 0.70),
    CountySpec("990181", "临湖市", 860_000, 10, 3, 4, 2, Grade.TERTIARY, 0.60),
    CountySpec("990122", "石桥县", 450_000, 9, 1, 3, 1, Grade.SECONDARY, 0.55),
    CountySpec("990123", "青峰县", 380_000, 8, 1, 3, 1, Grade.SECONDARY, 0.15),
    CountySpec("990124", "白溪县", 310_000, 7, 1, 3, 1, Grade.SECONDARY, 0.35),
    CountySpec("990125", "松源县", 270_000, 6, 1, 2, 1, Grade.SECONDARY, 0.05),
]

# City-level institutions directly under 示例市: (suffix, name, type, grade, beds).
CITY_INSTITUTIONS = [
    ("001", "示例市第一人民医院", InstitutionType.GENERAL_HOSPITAL, Grade.TERTIARY, 1600),
    ("002", "示例市第二人民医院", InstitutionType.GENERAL_HOSPITAL, Grade.TERTIARY, 1100),
    ("003", "示例市中医院", InstitutionType.TCM_HOSPITAL, Grade.TERTIARY, 850),
    ("004", "示例市妇幼保健院", InstitutionType.MCH, Grade.TERTIARY, 420),
    ("005", "示例市精神卫生中心", InstitutionType.SPECIALTY, Grade.TERTIARY, 600),
    ("006", "示例市传染病医院", InstitutionType.SPECIALTY, Grade.SECONDARY, 300),
    ("007", "示例市疾病预防控制中心", InstitutionType.CDC, "", None),
]

# fmt: off
TOWN_STEMS = [
    "青石", "柳塘", "桃源", "河口", "龙泉", "白马", "金沙", "梅岭", "东湖", "西岭", "长坪", "双溪", "茶园", "新桥",
    "马鞍", "凤鸣", "竹林", "杨柳", "高坪", "花溪", "石门", "永安", "太平", "兴隆", "三江", "清水", "黄田", "大坝",
    "官庄", "洪山", "枫林", "上塘", "下湾", "古城", "望江", "龙门", "云岭", "松林", "桂花", "南山", "北岭", "岩口",
    "沙坪", "湖头", "丰乐", "瑶里", "槐树", "安宁", "和平", "仁和", "富田", "玉泉", "乌石", "莲花", "荷塘", "银杏",
    "鹤峰", "朝阳", "白鹭", "苍溪", "翠屏", "丹桂", "芦湾", "麦田", "牛头", "盘石", "七里", "桑园",
]
STREET_STEMS = [
    "城关", "东街", "西街", "南门", "北门", "江滨", "文昌", "新华", "府前", "钟楼", "湖滨", "书院", "锦绣", "学府",
    "滨河", "望月", "云台", "金桥", "双塔", "凤山", "晓园", "明珠",
]
VILLAGE_STEMS = ["李家", "王庄", "下坪", "上坎", "石岗", "陈湾", "周村", "杨家岭", "梨树", "枣园", "林场", "大湾",
                 "小河", "坳头", "前进", "后塘", "郑家", "孙庄", "马家坪", "吴村"]
PRIVATE_NAMES = ["仁爱医院", "康宁医院", "博济医院", "华康医院", "安康医院", "济民医院", "惠民医院", "瑞华医院",
                 "德仁医院", "同心医院", "福康医院", "益民医院", "恒康医院", "宏济医院", "普仁医院"]

# fmt: on

DEPARTMENTS: list[tuple[str, list[str]]] = [
    ("办公室", ["委办公室", "局办公室", "办公室（信访科）"]),
    ("组织人事科", ["人事科", "组织科", "人事教育科"]),
    ("规划发展与信息化科", ["规划科", "规信科", "规划信息科", "信息化科", "规划发展科"]),
    ("财务科", ["计财科", "财务审计科", "财务与审计科"]),
    ("政策法规科", ["法规科", "法制科", "政策法规与行政审批科"]),
    ("体制改革科", ["体改科", "医改办", "深化医改办"]),
    ("医政医管科", ["医政科", "医政医管处", "医政医管与药政科", "医政管理科"]),
    ("基层卫生健康科", ["基层科", "基层卫生科", "基卫科"]),
    ("疾病预防控制科", ["疾控科", "疾病控制科", "疾控处"]),
    ("卫生应急办公室", ["应急办", "卫生应急办", "应急科"]),
    ("妇幼健康科", ["妇幼科", "妇幼健康服务科", "妇幼保健科"]),
    ("人口监测与家庭发展科", ["人口家庭科", "人口科", "家庭发展科", "人口监测科"]),
    ("老龄健康科", ["老龄科", "老龄办", "老龄工作科"]),
    ("职业健康科", ["职业卫生科", "职业健康监督科"]),
    ("综合监督科", ["监督科", "卫生监督科", "综合监督执法科"]),
    ("中医科", ["中医药科", "中医药管理科", "中医药管理局"]),
    ("科技教育科", ["科教科", "科技科", "科教与宣传科"]),
    ("宣传科", ["健康促进科", "宣传与健康促进科", "新闻宣传科"]),
    ("机关党委", ["党办", "机关党委办公室", "党建办"]),
]

LEADERS: list[tuple[str, str]] = [
    ("林建华", "党组书记、主任"),
    ("陈志远", "党组副书记、副主任"),
    ("王晓梅", "党组成员、副主任"),
    ("刘海涛", "党组成员、副主任"),
    ("张丽君", "党组成员、副主任"),
    ("赵文斌", "副主任"),
]


@dataclass
class DemoCity:
    province: OrgUnit
    city: OrgUnit
    counties: list[OrgUnit]
    institutions: list[OrgUnit]
    specs: dict[str, CountySpec]  # county code → spec


def build_city(rng: random.Random, counties: int = len(COUNTIES)) -> DemoCity:
    """Create the org tree; `counties` limits how many of the eight counties are built (for tests)."""
    province = OrgUnit.objects.add_root({"code": PROVINCE[0], "name": PROVINCE[1], "level": Level.PROVINCE})
    city = OrgUnit.objects.add_child(province, {"code": CITY[0], "name": CITY[1], "level": Level.CITY})
    institutions: list[OrgUnit] = []
    for suffix, name, itype, grade, beds in CITY_INSTITUTIONS:
        institutions.append(_institution(city, CITY[0] + suffix, name, itype, grade, beds))
    towns = list(TOWN_STEMS)
    streets = list(STREET_STEMS)
    villages = list(VILLAGE_STEMS)
    rng.shuffle(towns)
    rng.shuffle(streets)
    rng.shuffle(villages)
    county_units: list[OrgUnit] = []
    specs: dict[str, CountySpec] = {}
    private_names = iter(PRIVATE_NAMES)
    for spec in COUNTIES[:counties]:
        county = OrgUnit.objects.add_child(
            city, {"code": spec.code, "name": spec.name, "level": Level.COUNTY}
        )
        county_units.append(county)
        specs[spec.code] = spec
        serial = iter(range(1, 1000))

        def code(serial=serial, spec=spec) -> str:
            return f"{spec.code}{next(serial):03d}"

        big = spec.population > 600_000
        base_beds = (
            rng.randint(1000, 1400) if spec.hospital_grade == Grade.TERTIARY else rng.randint(620, 900)
        )
        institutions.append(
            _institution(
                county,
                code(),
                f"{spec.name}人民医院",
                InstitutionType.GENERAL_HOSPITAL,
                spec.hospital_grade,
                base_beds,
            )
        )
        institutions.append(
            _institution(
                county,
                code(),
                f"{spec.name}中医院",
                InstitutionType.TCM_HOSPITAL,
                Grade.SECONDARY,
                rng.randint(420, 600) if big else rng.randint(300, 450),
            )
        )
        institutions.append(
            _institution(
                county,
                code(),
                f"{spec.name}妇幼保健院",
                InstitutionType.MCH,
                Grade.SECONDARY,
                rng.randint(120, 220),
            )
        )
        institutions.append(
            _institution(county, code(), f"{spec.name}疾病预防控制中心", InstitutionType.CDC, "", None)
        )
        townships = []
        for i in range(spec.townships):
            stem = towns.pop()
            kind = "镇" if i % 4 != 3 else "乡"
            thc = _institution(
                county,
                code(),
                f"{spec.name}{stem}{kind}卫生院",
                InstitutionType.TOWNSHIP_HC,
                Grade.PRIMARY,
                rng.choice([40, 50, 60, 80, 99, 120]),
            )
            institutions.append(thc)
            townships.append((thc, stem))
        for _ in range(spec.communities):
            stem = streets.pop()
            institutions.append(
                _institution(
                    county,
                    code(),
                    f"{spec.name}{stem}街道社区卫生服务中心",
                    InstitutionType.COMMUNITY_HC,
                    Grade.PRIMARY,
                    rng.choice([0, 0, 20, 30]),
                )
            )
        for n in range(spec.villages):
            thc, stem = townships[n % len(townships)]
            village = villages[(len(institutions) + n) % len(villages)]
            institutions.append(
                _institution(
                    thc,
                    f"{thc.code}{n + 1:02d}",
                    f"{stem}{village}村卫生室",
                    InstitutionType.VILLAGE_CLINIC,
                    Grade.UNGRADED,
                    None,
                )
            )
        for _ in range(spec.private):
            institutions.append(
                _institution(
                    county,
                    code(),
                    f"{spec.name}{next(private_names)}",
                    InstitutionType.PRIVATE_HOSPITAL,
                    rng.choice([Grade.PRIMARY, Grade.SECONDARY]),
                    rng.choice([80, 100, 150, 200, 260]),
                )
            )
    province.refresh_from_db()
    city.refresh_from_db()
    return DemoCity(
        province,
        city,
        [OrgUnit.objects.get(pk=c.pk) for c in county_units],
        list(OrgUnit.objects.filter(level=Level.INSTITUTION).order_by("path")),
        specs,
    )


def _institution(parent: OrgUnit, code: str, name: str, itype: str, grade: str, beds: int | None) -> OrgUnit:
    ownership = Ownership.PRIVATE if itype == InstitutionType.PRIVATE_HOSPITAL else Ownership.PUBLIC
    return OrgUnit.objects.add_child(
        parent,
        {
            "code": code,
            "name": name,
            "level": Level.INSTITUTION,
            "inst_type": itype,
            "grade": grade,
            "ownership": ownership,
            "beds": beds or None,
        },
    )


def build_departments() -> list[Department]:
    return Department.objects.bulk_create(
        [
            Department(name=name, aliases=aliases, order=n)
            for n, (name, aliases) in enumerate(DEPARTMENTS, start=1)
        ]
    )


def build_leaders() -> list[Leader]:
    return Leader.objects.bulk_create(
        [Leader(name=name, title=title, order=n) for n, (name, title) in enumerate(LEADERS, start=1)]
    )
