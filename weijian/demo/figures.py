"""The demo city's figures: data sets, validation rules, and three years of plausible,
deterministic data values, each stored where it is really reported:

    county  (月报)  births and deaths, maternal and child health, notifiable diseases, blood donation
    county  (年报)  population, childcare places, health literacy, HIV, TB cohorts, BPHS funds
    乡镇卫生院 / 社区卫生服务中心 (季报, 年内累计或期末数)  basic public health service management counts
    institutions (年报, 期末数)  beds and staff
    institutions (月报)  visits, inpatients, operations, revenue, referrals

Every figure comes from a random generator seeded by the load's seed and the org unit's code,
so two loads give identical values. Each county has a `quality` (see demo.city) that moves its
rates within realistic ranges: 建档率 ~84–95%, 高血压规范管理率 ~58–80%, 婴儿死亡率 ~2–5‰; the
weakest counties fall below the usual targets.
"""

from __future__ import annotations

import calendar
import math
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from weijian.data import bulk
from weijian.data.models import DataSet, DataValue, DataValueAudit, PeriodType, ValidationRule
from weijian.data.periods import get_period
from weijian.indicators.models import DataElement
from weijian.orgs.models import Grade, InstitutionType, OrgUnit

from .city import CountySpec, DemoCity

# Service volume by month: the Spring Festival dip, the winter peak.
SEASON = [0.95, 0.82, 1.02, 1.0, 0.99, 0.97, 1.02, 1.03, 0.99, 0.96, 1.05, 1.12]
# Share of the year's cumulative count reached at the end of each quarter.
YEAR_TO_DATE = [0.27, 0.52, 0.77, 1.0]
CENT = Decimal("0.01")

SERVICE_ELEMENTS = [
    "OPD_VISITS",
    "ER_VISITS",
    "OTHER_VISITS",
    "OPD_APPOINTMENTS",
    "DISCHARGES",
    "INPATIENT_DAYS",
    "OCCUPIED_BED_DAYS",
    "OPEN_BED_DAYS",
    "SURG_INPATIENT",
    "SURG_L3L4",
    "SURG_L4",
    "PATHWAY_ENTERED",
    "PATHWAY_COMPLETED",
    "REFERRAL_UP",
    "REFERRAL_DOWN",
    "MED_REVENUE",
    "OPD_REVENUE",
    "INPATIENT_REVENUE",
    "DRUG_REVENUE",
    "SERVICE_REVENUE",
    "MATERIAL_COST",
]
RESOURCE_ELEMENTS = [
    "BEDS_ACTUAL",
    "BEDS_PAEDIATRIC",
    "BEDS_OBSTETRIC",
    "BEDS_PSYCH",
    "DOCTORS",
    "NURSES",
    "HEALTH_WORKERS",
    "GPS",
    "TCM_DOCTORS",
    "PATHWAY_DISEASES",
]
BPHS_ELEMENTS = [
    "EHR_FILED",
    "EHR_ACTIVE",
    "HTN_MANAGED",
    "HTN_MANAGED_STD",
    "HTN_CONTROLLED",
    "DM_MANAGED",
    "DM_MANAGED_STD",
    "DM_CONTROLLED",
    "ELDERLY_MANAGED",
    "ELDERLY_TCM_MANAGED",
    "CHILD_0_6_MANAGED",
    "CHILD_U3_SYS_MANAGED",
    "CHILD_TCM_MANAGED",
    "IMM_DUE",
    "IMM_VACCINATED",
    "SMI_REGISTERED",
    "SMI_MANAGED",
    "SMI_MANAGED_STD",
    "TB_REGISTERED",
    "TB_MANAGED",
    "TB_MANAGED_STD",
    "FD_SIGNED",
    "FD_KEY_POP",
    "FD_SIGNED_KEY",
]
COUNTY_MONTHLY_ELEMENTS = [
    "LIVE_BIRTHS",
    "LIVE_BIRTHS_MALE",
    "LIVE_BIRTHS_FEMALE",
    "HOSPITAL_DELIVERIES",
    "DEATHS",
    "MAT_DEATHS",
    "INFANT_DEATHS",
    "NEONATAL_DEATHS",
    "U5_DEATHS",
    "MAT_SYS_MANAGED",
    "EARLY_PREG_REGISTERED",
    "POSTPARTUM_VISITED",
    "NEWBORN_VISITED",
    "NEWBORN_SCREENED",
    "NEWBORN_HEARING_SCREENED",
    "CERVICAL_SCREENED",
    "BREAST_SCREENED",
    "ID_AB_CASES",
    "ID_AB_DEATHS",
    "ID_REPORT_CARDS",
    "ID_REPORT_CARDS_TIMELY",
    "TB_NEW_CASES",
    "BLOOD_DONATIONS",
]
COUNTY_ANNUAL_ELEMENTS = [
    "POP_RESIDENT",
    "POP_REGISTERED",
    "POP_65PLUS",
    "POP_0_6",
    "POP_UNDER3",
    "CHILDCARE_PLACES",
    "HL_SURVEYED",
    "HL_ADEQUATE",
    "HIV_LIVING",
    "HIV_TREATED",
    "TB_COHORT",
    "TB_TREAT_SUCCESS",
    "BPHS_FUNDS",
]

DATA_SETS = [
    ("DS_SERVICE_M", "医疗服务月报", PeriodType.MONTH, [5], SERVICE_ELEMENTS),
    ("DS_RESOURCE_Y", "医疗资源年报", PeriodType.YEAR, [5], RESOURCE_ELEMENTS),
    (
        "DS_BPHS_Q",
        "基本公共卫生服务季报",
        PeriodType.QUARTER,
        [5],
        BPHS_ELEMENTS,
        ["township_hc", "community_hc"],
    ),
    ("DS_COUNTY_M", "人口、妇幼与疾病控制月报", PeriodType.MONTH, [3], COUNTY_MONTHLY_ELEMENTS),
    ("DS_COUNTY_Y", "人口与公共卫生年报", PeriodType.YEAR, [3], COUNTY_ANNUAL_ELEMENTS),
]

VALIDATION_RULES = [
    (
        "VR_HTN_STD",
        "高血压规范管理人数不超过已管理人数",
        "HTN_MANAGED_STD",
        "<=",
        "HTN_MANAGED",
        "规范管理高血压患者人数不能大于已管理高血压患者人数",
    ),
    (
        "VR_HTN_CTRL",
        "高血压控制达标人数不超过已管理人数",
        "HTN_CONTROLLED",
        "<=",
        "HTN_MANAGED",
        "血压控制达标人数不能大于已管理高血压患者人数",
    ),
    (
        "VR_DM_STD",
        "糖尿病规范管理人数不超过已管理人数",
        "DM_MANAGED_STD",
        "<=",
        "DM_MANAGED",
        "规范管理2型糖尿病患者人数不能大于已管理2型糖尿病患者人数",
    ),
    (
        "VR_SMI_STD",
        "严重精神障碍规范管理人数不超过在册人数",
        "SMI_MANAGED_STD",
        "<=",
        "SMI_REGISTERED",
        "规范管理严重精神障碍患者人数不能大于在册患者人数",
    ),
    (
        "VR_IMM",
        "免疫规划疫苗实种人数不超过应种人数",
        "IMM_VACCINATED",
        "<=",
        "IMM_DUE",
        "免疫规划疫苗实际接种人数不能大于应接种人数",
    ),
    (
        "VR_EHR_ACTIVE",
        "有动态记录的档案不超过建档人数",
        "EHR_ACTIVE",
        "<=",
        "EHR_FILED",
        "有动态记录的健康档案份数不能大于建档人数",
    ),
    (
        "VR_FD_KEY",
        "重点人群签约人数不超过重点人群人数",
        "FD_SIGNED_KEY",
        "<=",
        "FD_KEY_POP",
        "重点人群签约人数不能大于重点人群人数",
    ),
    (
        "VR_SURG_L3L4",
        "三、四级手术台次不超过手术台次",
        "SURG_L3L4",
        "<=",
        "SURG_INPATIENT",
        "出院患者三、四级手术台次不能大于出院患者手术台次",
    ),
    (
        "VR_DRUG_REVENUE",
        "药品收入不超过医疗收入",
        "DRUG_REVENUE",
        "<=",
        "MED_REVENUE",
        "药品收入不能大于医疗收入",
    ),
    (
        "VR_REVENUE_PARTS",
        "门急诊收入与住院收入之和等于医疗收入",
        "OPD_REVENUE + INPATIENT_REVENUE",
        "==",
        "MED_REVENUE",
        "门急诊收入与住院收入之和应等于医疗收入",
    ),
    (
        "VR_BIRTHS_SEX",
        "男婴与女婴活产数之和等于活产数",
        "LIVE_BIRTHS_MALE + LIVE_BIRTHS_FEMALE",
        "==",
        "LIVE_BIRTHS",
        "男婴活产数与女婴活产数之和应等于活产数",
    ),
    (
        "VR_HOSPITAL_DELIVERIES",
        "住院分娩活产数不超过活产数",
        "HOSPITAL_DELIVERIES",
        "<=",
        "LIVE_BIRTHS",
        "住院分娩活产数不能大于活产数",
    ),
    (
        "VR_SPECIAL_BEDS",
        "儿科、产科、精神科床位之和不超过实有床位",
        "BEDS_PAEDIATRIC + BEDS_OBSTETRIC + BEDS_PSYCH",
        "<=",
        "BEDS_ACTUAL",
        "儿科、产科和精神科床位之和不能大于实有床位数",
    ),
]


@dataclass
class DemoCalendar:
    """The three demo years, up to the month before `today`."""

    years: list[int]
    months: dict[int, list[int]]
    quarters: dict[int, list[int]]
    complete_years: list[int]

    @classmethod
    def for_date(cls, today: date) -> DemoCalendar:
        years = [today.year - 2, today.year - 1, today.year]
        months = {y: list(range(1, 13)) for y in years[:2]}
        months[today.year] = list(range(1, today.month))
        quarters = {y: [1, 2, 3, 4] for y in years[:2]}
        quarters[today.year] = list(range(1, (today.month - 1) // 3 + 1))
        return cls(years, months, quarters, years[:2])


@dataclass
class Values:
    """Data values collected before writing: (element code, org unit id, period code) → value."""

    rows: dict[tuple[str, int, str], Decimal] = field(default_factory=dict)

    def put(self, element: str, org: OrgUnit, period: str, value) -> None:
        if isinstance(value, int):
            v = Decimal(value)
        else:
            v = (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(CENT)
        self.rows[(element, org.pk, period)] = v


def build_data_sets() -> int:
    elements = dict(DataElement.objects.values_list("code", "pk"))
    for code, name, ptype, levels, codes, *types in DATA_SETS:
        ds, _ = DataSet.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "period_type": ptype,
                "org_levels": levels,
                "inst_types": types[0] if types else [],
            },
        )
        ds.elements.set([elements[c] for c in codes])
    return len(DATA_SETS)


def build_validation_rules() -> int:
    for code, name, left, op, right, message in VALIDATION_RULES:
        ValidationRule.objects.update_or_create(
            code=code,
            defaults={"name": name, "left": left, "operator": op, "right": right, "message": message},
        )
    return len(VALIDATION_RULES)


def generate_values(city: DemoCity, cal: DemoCalendar, seed: int) -> Values:
    values = Values()
    for county in city.counties:
        spec = city.specs[county.code]
        profile = _county_profile(random.Random(f"{seed}:{county.code}:profile"), spec, cal)
        _county_figures(values, county, spec, profile, cal, seed)
        members = [
            i
            for i in city.institutions
            if i.path.startswith(county.path)
            and i.inst_type in (InstitutionType.TOWNSHIP_HC, InstitutionType.COMMUNITY_HC)
        ]
        _bphs_figures(values, members, spec, profile, cal, seed)
    for inst in city.institutions:
        quality = _quality_of(inst, city)
        _resource_figures(values, inst, cal, seed)
        _service_figures(values, inst, quality, cal, seed)
    return values


def write_values(values: Values) -> int:
    """Store the values, and one audit row each marked 演示数据, in bulk.

    About 110,000 values (and as many audit rows) make the ORM's per-object work the slow part of
    the demo (over 20 s); one parameterised INSERT run with executemany per table does the same
    in a few seconds, with values adapted by the database backend as the ORM would."""
    elements = dict(DataElement.objects.values_list("code", "pk"))
    periods = {code: get_period(code).pk for code in sorted({p for _, _, p in values.rows})}
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    keyed = [
        (elements[e], org, periods[p], ops.adapt_decimalfield_value(v, 20, 4))
        for (e, org, p), v in values.rows.items()
    ]
    bulk.insert_many(
        DataValue,
        ["element", "org_unit", "period", "value", "comment", "stored_by", "created", "updated"],
        [(e, o, p, v, "", None, now, now) for e, o, p, v in keyed],
    )
    bulk.insert_many(
        DataValueAudit,
        ["element", "org_unit", "period", "old_value", "new_value", "user", "at", "source"],
        [(e, o, p, None, v, None, now, DataValueAudit.Source.DEMO) for e, o, p, v in keyed],
    )
    return len(keyed)


# --- counties ----------------------------------------------------------------------------


def _county_profile(rng: random.Random, spec: CountySpec, cal: DemoCalendar) -> dict:
    """The county's yearly totals and its rates (year-end), shared by its health centres."""
    q = spec.quality
    growth = rng.uniform(-0.004, 0.008)
    years = {}
    for k, year in enumerate(cal.years):
        pop = round(spec.population * (1 + growth) ** k)
        births = round(pop * (rng.uniform(6.4, 7.8) - 0.35 * k) / 1000)
        pop_0_6 = round(pop * (rng.uniform(0.058, 0.068) - 0.002 * k))
        years[year] = {
            "k": k,
            "POP_RESIDENT": pop,
            "POP_REGISTERED": round(pop * rng.uniform(0.93, 1.10)),
            "POP_65PLUS": round(pop * (rng.uniform(0.135, 0.175) + 0.004 * k)),
            "POP_0_6": pop_0_6,
            "POP_UNDER3": round(pop_0_6 * rng.uniform(0.36, 0.40)),
            "CHILDCARE_PLACES": round(pop * (2.0 + 0.7 * k + 1.4 * q + rng.uniform(-0.2, 0.2)) / 1000),
            "births": births,
        }
    rates = {
        "ehr": 0.84 + 0.11 * q,
        "ehr_use": 0.58 + 0.17 * q,
        "htn_share": rng.uniform(0.07, 0.09),
        "htn_std": 0.58 + 0.22 * q,
        "htn_ctrl": 0.52 + 0.18 * q,
        "dm_share": rng.uniform(0.022, 0.03),
        "dm_std": 0.57 + 0.21 * q,
        "dm_ctrl": 0.48 + 0.17 * q,
        "elderly": 0.60 + 0.16 * q,
        "elderly_tcm": 0.62 + 0.16 * q,
        "child": 0.88 + 0.08 * q,
        "child_u3": 0.87 + 0.08 * q,
        "child_tcm": 0.70 + 0.15 * q,
        "imm": 0.935 + 0.05 * q,
        "smi_detect": (3.6 + 1.4 * q) / 1000,
        "smi_mgmt": 0.93 + 0.05 * q,
        "smi_std": 0.82 + 0.12 * q,
        "tb_mgmt": 0.95 + 0.045 * q,
        "tb_std": 0.88 + 0.09 * q,
        "fd": 0.36 + 0.16 * q,
        "fd_key_share": rng.uniform(0.28, 0.34),
        "fd_key": 0.70 + 0.16 * q,
        "imr": (2.0 + 2.6 * (1 - q) + rng.uniform(-0.3, 0.3)) / 1000,
        "mmr": (8 + 16 * (1 - q)) / 100_000,
        "death_rate": rng.uniform(6.8, 8.2) / 1000,
        "male": rng.uniform(0.508, 0.527),
        "mat_sys": 0.88 + 0.08 * q,
        "early_preg": 0.86 + 0.09 * q,
        "postpartum": 0.91 + 0.07 * q,
        "newborn_visit": 0.91 + 0.07 * q,
        "screen": rng.uniform(0.975, 0.995),
        "hearing": rng.uniform(0.95, 0.99),
        "hospital_delivery": rng.uniform(0.996, 0.9995),
        "id_incidence": rng.uniform(150, 260) / 100_000,
        "tb_incidence": rng.uniform(32, 55) / 100_000,
        "id_timely": 0.975 + 0.02 * q,
        "blood": rng.uniform(9, 13) / 1000,
        "cervical": rng.uniform(0.010, 0.016),
        "breast": rng.uniform(0.010, 0.015),
        "hl": 0.22 + 0.12 * q,
        "hiv": rng.uniform(0.0003, 0.0007),
        "hiv_treated": 0.88 + 0.08 * q,
        "tb_success": 0.88 + 0.07 * q,
    }
    return {"years": years, "rates": rates}


def _county_figures(
    values: Values, county: OrgUnit, spec: CountySpec, profile: dict, cal: DemoCalendar, seed: int
) -> None:
    rates = profile["rates"]
    for year in cal.years:
        y = profile["years"][year]
        rng = random.Random(f"{seed}:{county.code}:{year}:county")
        code = str(year)
        for element in (
            "POP_RESIDENT",
            "POP_REGISTERED",
            "POP_65PLUS",
            "POP_0_6",
            "POP_UNDER3",
            "CHILDCARE_PLACES",
        ):
            values.put(element, county, code, y[element])
        pop = y["POP_RESIDENT"]
        # Funds arrive at the start of the year; 89 元 per head in 2023, 5 元 more each year.
        values.put("BPHS_FUNDS", county, code, Decimal(pop * (89 + 5 * (year - 2023))) / 10000)
        if year in cal.complete_years:
            surveyed = rng.randint(600, 1000)
            values.put("HL_SURVEYED", county, code, surveyed)
            values.put("HL_ADEQUATE", county, code, _binom(rng, surveyed, rates["hl"] + 0.02 * y["k"]))
            hiv = round(pop * rates["hiv"])
            values.put("HIV_LIVING", county, code, hiv)
            values.put("HIV_TREATED", county, code, _binom(rng, hiv, rates["hiv_treated"]))
            cohort = round(pop * rates["tb_incidence"] * 0.9)
            values.put("TB_COHORT", county, code, cohort)
            values.put("TB_TREAT_SUCCESS", county, code, _binom(rng, cohort, rates["tb_success"]))
        months = cal.months[year]
        if not months:
            continue
        weights = [SEASON[m - 1] * 0.3 + 0.7 for m in months]
        share = len(months) / 12
        births = _split(rng, round(y["births"] * share), weights)
        infant = _scatter(rng, _poisson(rng, y["births"] * share * rates["imr"]), weights)
        maternal = _scatter(rng, _poisson(rng, y["births"] * share * rates["mmr"]), weights)
        deaths = _split(rng, round(pop * rates["death_rate"] * share), [SEASON[m - 1] for m in months])
        cases = _split(rng, round(pop * rates["id_incidence"] * share), [SEASON[m - 1] for m in months])
        tb = _split(rng, round(pop * rates["tb_incidence"] * share), weights)
        blood = _split(rng, round(pop * rates["blood"] * share), weights)
        for i, month in enumerate(months):
            period = f"{year}{month:02d}"
            n = births[i]
            male = _binom(rng, n, rates["male"])
            neonatal = _binom(rng, infant[i], rng.uniform(0.55, 0.68))
            for element, value in (
                ("LIVE_BIRTHS", n),
                ("LIVE_BIRTHS_MALE", male),
                ("LIVE_BIRTHS_FEMALE", n - male),
                ("HOSPITAL_DELIVERIES", _binom(rng, n, rates["hospital_delivery"])),
                ("DEATHS", deaths[i]),
                ("MAT_DEATHS", maternal[i]),
                ("INFANT_DEATHS", infant[i]),
                ("NEONATAL_DEATHS", neonatal),
                ("U5_DEATHS", infant[i] + _poisson(rng, infant[i] * 0.4 + 0.1)),
                ("MAT_SYS_MANAGED", _binom(rng, n, _jitter(rng, rates["mat_sys"]))),
                ("EARLY_PREG_REGISTERED", _binom(rng, n, _jitter(rng, rates["early_preg"]))),
                ("POSTPARTUM_VISITED", _binom(rng, n, _jitter(rng, rates["postpartum"]))),
                ("NEWBORN_VISITED", _binom(rng, n, _jitter(rng, rates["newborn_visit"]))),
                ("NEWBORN_SCREENED", _binom(rng, n, rates["screen"])),
                ("NEWBORN_HEARING_SCREENED", _binom(rng, n, rates["hearing"])),
                ("CERVICAL_SCREENED", round(pop * rates["cervical"] / 12 * rng.uniform(0.8, 1.2))),
                ("BREAST_SCREENED", round(pop * rates["breast"] / 12 * rng.uniform(0.8, 1.2))),
                ("ID_AB_CASES", cases[i]),
                ("ID_AB_DEATHS", _poisson(rng, pop * 1.2e-5 / 12)),
                ("TB_NEW_CASES", tb[i]),
                ("BLOOD_DONATIONS", blood[i]),
            ):
                values.put(element, county, period, value)
            cards = round((cases[i] + tb[i]) * rng.uniform(1.8, 2.4))
            values.put("ID_REPORT_CARDS", county, period, cards)
            values.put(
                "ID_REPORT_CARDS_TIMELY", county, period, _binom(rng, cards, _clamp(rates["id_timely"]))
            )


def _bphs_figures(
    values: Values, members: list[OrgUnit], spec: CountySpec, profile: dict, cal: DemoCalendar, seed: int
) -> None:
    """Quarterly management counts at the county's health centres; county totals follow its rates."""
    if not members:
        return
    rates = profile["rates"]
    wrng = random.Random(f"{seed}:{spec.code}:catchment")
    weights = [
        wrng.uniform(0.6, 1.4) * (1.6 if m.inst_type == InstitutionType.COMMUNITY_HC else 1.0)
        for m in members
    ]
    total = sum(weights)
    shares = [w / total for w in weights]
    for year in cal.years:
        y = profile["years"][year]
        k = y["k"]
        pop = y["POP_RESIDENT"]
        for inst, share in zip(members, shares, strict=True):
            rng = random.Random(f"{seed}:{inst.code}:{year}:bphs")
            local = {  # the centre's own rates: the county's, give or take
                name: _clamp(rate + rng.gauss(0, 0.025))
                for name, rate in rates.items()
                if name
                in (
                    "ehr",
                    "ehr_use",
                    "htn_std",
                    "htn_ctrl",
                    "dm_std",
                    "dm_ctrl",
                    "elderly",
                    "elderly_tcm",
                    "child",
                    "child_u3",
                    "child_tcm",
                    "smi_mgmt",
                    "smi_std",
                    "tb_mgmt",
                    "tb_std",
                    "fd",
                    "fd_key",
                )
            }
            local["imm"] = _clamp(rates["imm"] + rng.gauss(0, 0.01))
            catch = pop * share
            year_end = {
                "EHR_FILED": catch * min(0.99, local["ehr"] + 0.005 * k),
                "HTN_MANAGED": catch * rates["htn_share"] * (1 + 0.02 * k),
                "DM_MANAGED": catch * rates["dm_share"] * (1 + 0.03 * k),
                "ELDERLY_MANAGED": y["POP_65PLUS"] * share * min(0.95, local["elderly"] + 0.005 * k),
                "ELDERLY_TCM_MANAGED": y["POP_65PLUS"] * share * local["elderly_tcm"],
                "CHILD_0_6_MANAGED": y["POP_0_6"] * share * local["child"],
                "CHILD_U3_SYS_MANAGED": y["POP_UNDER3"] * share * local["child_u3"],
                "CHILD_TCM_MANAGED": y["POP_UNDER3"] * share * local["child_tcm"],
                "IMM_DUE": y["births"] * share * rng.uniform(9.0, 11.0),
                "SMI_REGISTERED": catch * rates["smi_detect"] * rng.uniform(0.9, 1.1),
                "TB_REGISTERED": catch * rates["tb_incidence"] * 0.85,
                "FD_SIGNED": catch * min(0.9, local["fd"] + 0.01 * k),
                "FD_KEY_POP": catch * rates["fd_key_share"],
            }
            for q in cal.quarters[year]:
                period = f"{year}Q{q}"
                ytd = YEAR_TO_DATE[q - 1]
                stock = 0.97 + 0.01 * q  # stocks grow through the year
                ramp = 0.93 + 0.07 * ytd  # 规范管理 needs a year's follow-ups: lower early in the year
                ehr = round(year_end["EHR_FILED"] * stock)
                htn = round(year_end["HTN_MANAGED"] * stock)
                dm = round(year_end["DM_MANAGED"] * stock)
                smi = round(year_end["SMI_REGISTERED"] * stock)
                tb = round(year_end["TB_REGISTERED"] * ytd)
                due = round(year_end["IMM_DUE"] * (q / 4))
                key_pop = round(year_end["FD_KEY_POP"] * stock)
                smi_managed = _binom(rng, smi, local["smi_mgmt"])
                htn_std = _binom(rng, htn, local["htn_std"] * ramp)
                dm_std = _binom(rng, dm, local["dm_std"] * ramp)
                tb_managed = _binom(rng, tb, local["tb_mgmt"])
                for element, value in (
                    ("EHR_FILED", ehr),
                    ("EHR_ACTIVE", _binom(rng, ehr, local["ehr_use"])),
                    ("HTN_MANAGED", htn),
                    ("HTN_MANAGED_STD", htn_std),
                    ("HTN_CONTROLLED", _binom(rng, htn, local["htn_ctrl"])),
                    ("DM_MANAGED", dm),
                    ("DM_MANAGED_STD", dm_std),
                    ("DM_CONTROLLED", _binom(rng, dm, local["dm_ctrl"])),
                    ("ELDERLY_MANAGED", round(year_end["ELDERLY_MANAGED"] * ytd)),
                    ("ELDERLY_TCM_MANAGED", round(year_end["ELDERLY_TCM_MANAGED"] * ytd)),
                    ("CHILD_0_6_MANAGED", round(year_end["CHILD_0_6_MANAGED"] * ytd)),
                    ("CHILD_U3_SYS_MANAGED", round(year_end["CHILD_U3_SYS_MANAGED"] * ytd)),
                    ("CHILD_TCM_MANAGED", round(year_end["CHILD_TCM_MANAGED"] * ytd)),
                    ("IMM_DUE", due),
                    ("IMM_VACCINATED", _binom(rng, due, local["imm"])),
                    ("SMI_REGISTERED", smi),
                    ("SMI_MANAGED", smi_managed),
                    ("SMI_MANAGED_STD", min(smi_managed, _binom(rng, smi, local["smi_std"] * ramp))),
                    ("TB_REGISTERED", tb),
                    ("TB_MANAGED", tb_managed),
                    ("TB_MANAGED_STD", min(tb_managed, _binom(rng, tb, local["tb_std"]))),
                    ("FD_SIGNED", round(year_end["FD_SIGNED"] * stock)),
                    ("FD_KEY_POP", key_pop),
                    ("FD_SIGNED_KEY", _binom(rng, key_pop, local["fd_key"])),
                ):
                    values.put(element, inst, period, value)


# --- institutions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """How an institution of a kind works, as (low, high) ranges."""

    opd: tuple[float, float]  # monthly 门诊人次: per bed (hospitals) or in total (primary care)
    per_bed: bool
    er: float
    other: tuple[float, float]
    occupancy: tuple[float, float]
    alos: tuple[float, float]
    surgery: tuple[float, float]  # share of discharges operated on
    l3l4: tuple[float, float]  # share of operations
    l4: tuple[float, float]
    opd_cost: tuple[float, float]  # 元 per visit
    ip_cost: tuple[float, float]  # 元 per discharge
    drug: tuple[float, float]  # share of medical revenue
    service: tuple[float, float]
    material: tuple[float, float]  # per 元 of non-drug revenue
    appointment: tuple[float, float]
    pathway: tuple[float, float]
    referral_up: tuple[float, float]  # share of visits
    referral_down: tuple[float, float]  # share of discharges
    doctors_per_bed: float
    nurse_ratio: tuple[float, float]
    pathway_diseases: tuple[int, int]


def _p(**kw) -> Profile:
    defaults = dict(
        per_bed=True,
        er=0.05,
        other=(0.0, 0.01),
        surgery=(0.0, 0.0),
        l3l4=(0.0, 0.0),
        l4=(0.0, 0.0),
        appointment=(0.2, 0.4),
        pathway=(0.0, 0.0),
        referral_up=(0.0, 0.0),
        referral_down=(0.0, 0.0),
        doctors_per_bed=0.35,
        nurse_ratio=(1.35, 1.6),
        pathway_diseases=(0, 0),
    )
    return Profile(**{**defaults, **kw})


PROFILES = {
    "general3": _p(
        opd=(85, 105),
        er=0.10,
        occupancy=(0.90, 1.02),
        alos=(7.2, 8.4),
        surgery=(0.30, 0.38),
        l3l4=(0.58, 0.70),
        l4=(0.18, 0.27),
        opd_cost=(300, 360),
        ip_cost=(12500, 15500),
        drug=(0.25, 0.31),
        service=(0.29, 0.37),
        material=(0.18, 0.24),
        appointment=(0.50, 0.70),
        pathway=(0.45, 0.65),
        referral_up=(0.0003, 0.0008),
        referral_down=(0.015, 0.03),
        doctors_per_bed=0.50,
        pathway_diseases=(220, 380),
    ),
    "general2": _p(
        opd=(75, 95),
        er=0.09,
        occupancy=(0.85, 0.98),
        alos=(7.5, 9.0),
        surgery=(0.24, 0.32),
        l3l4=(0.38, 0.52),
        l4=(0.06, 0.12),
        opd_cost=(220, 280),
        ip_cost=(7200, 9200),
        drug=(0.27, 0.34),
        service=(0.27, 0.35),
        material=(0.16, 0.22),
        appointment=(0.35, 0.55),
        pathway=(0.40, 0.60),
        referral_up=(0.002, 0.004),
        referral_down=(0.01, 0.025),
        doctors_per_bed=0.44,
        pathway_diseases=(90, 180),
    ),
    "tcm": _p(
        opd=(100, 125),
        er=0.05,
        occupancy=(0.82, 0.95),
        alos=(8.5, 10.5),
        surgery=(0.12, 0.20),
        l3l4=(0.30, 0.45),
        l4=(0.03, 0.08),
        opd_cost=(200, 260),
        ip_cost=(7000, 9000),
        drug=(0.32, 0.40),
        service=(0.30, 0.38),
        material=(0.12, 0.18),
        appointment=(0.35, 0.55),
        pathway=(0.35, 0.55),
        referral_up=(0.001, 0.003),
        referral_down=(0.01, 0.02),
        doctors_per_bed=0.45,
        pathway_diseases=(50, 110),
    ),
    "mch": _p(
        opd=(140, 180),
        er=0.06,
        occupancy=(0.70, 0.88),
        alos=(4.0, 5.2),
        surgery=(0.35, 0.45),
        l3l4=(0.25, 0.40),
        l4=(0.02, 0.06),
        opd_cost=(160, 220),
        ip_cost=(5000, 6500),
        drug=(0.18, 0.25),
        service=(0.33, 0.40),
        material=(0.14, 0.20),
        appointment=(0.45, 0.65),
        pathway=(0.45, 0.65),
        referral_up=(0.001, 0.002),
        referral_down=(0.005, 0.01),
        doctors_per_bed=0.55,
        pathway_diseases=(40, 90),
    ),
    "psych": _p(
        opd=(10, 15),
        er=0.01,
        occupancy=(0.95, 1.05),
        alos=(45, 65),
        opd_cost=(250, 320),
        ip_cost=(16000, 22000),
        drug=(0.22, 0.30),
        service=(0.45, 0.55),
        material=(0.03, 0.06),
        pathway=(0.30, 0.50),
        referral_down=(0.02, 0.05),
        doctors_per_bed=0.15,
        pathway_diseases=(20, 40),
    ),
    "infectious": _p(
        opd=(40, 50),
        er=0.04,
        occupancy=(0.65, 0.85),
        alos=(10, 14),
        surgery=(0.03, 0.06),
        l3l4=(0.20, 0.35),
        l4=(0.01, 0.03),
        opd_cost=(280, 350),
        ip_cost=(9000, 12000),
        drug=(0.35, 0.42),
        service=(0.25, 0.32),
        material=(0.08, 0.12),
        pathway=(0.30, 0.45),
        referral_down=(0.01, 0.02),
        doctors_per_bed=0.30,
        pathway_diseases=(20, 50),
    ),
    "private": _p(
        opd=(50, 60),
        er=0.04,
        occupancy=(0.62, 0.80),
        alos=(7.5, 9.5),
        surgery=(0.18, 0.28),
        l3l4=(0.25, 0.40),
        l4=(0.02, 0.05),
        opd_cost=(240, 300),
        ip_cost=(6500, 8500),
        drug=(0.30, 0.38),
        service=(0.24, 0.32),
        material=(0.18, 0.25),
        pathway=(0.10, 0.30),
        referral_up=(0.002, 0.004),
        referral_down=(0.0, 0.005),
        doctors_per_bed=0.25,
        pathway_diseases=(10, 40),
    ),
    "township": _p(
        opd=(2500, 7000),
        per_bed=False,
        er=0.03,
        other=(0.15, 0.25),
        occupancy=(0.52, 0.75),
        alos=(5.5, 7.0),
        surgery=(0.04, 0.10),
        l3l4=(0.03, 0.08),
        opd_cost=(85, 125),
        ip_cost=(2600, 3600),
        drug=(0.40, 0.50),
        service=(0.22, 0.30),
        material=(0.08, 0.12),
        appointment=(0.15, 0.30),
        pathway=(0.10, 0.25),
        referral_up=(0.006, 0.012),
        nurse_ratio=(0.7, 0.9),
        pathway_diseases=(3, 12),
    ),
    "community": _p(
        opd=(5000, 12000),
        per_bed=False,
        er=0.01,
        other=(0.18, 0.28),
        occupancy=(0.45, 0.70),
        alos=(8, 12),
        opd_cost=(110, 160),
        ip_cost=(3000, 4200),
        drug=(0.45, 0.55),
        service=(0.20, 0.28),
        material=(0.05, 0.08),
        appointment=(0.25, 0.45),
        referral_up=(0.006, 0.012),
        nurse_ratio=(0.8, 1.0),
    ),
    "village": _p(
        opd=(250, 700),
        per_bed=False,
        er=0.0,
        other=(0.10, 0.20),
        occupancy=(0, 0),
        alos=(1, 1),
        opd_cost=(30, 50),
        ip_cost=(0, 0),
        drug=(0.6, 0.7),
        service=(0.1, 0.2),
        material=(0.02, 0.04),
        referral_up=(0.005, 0.01),
        nurse_ratio=(0.0, 0.5),
    ),
}


def _profile_key(inst: OrgUnit) -> str | None:
    t = inst.inst_type
    if t == InstitutionType.GENERAL_HOSPITAL:
        return "general3" if inst.grade == Grade.TERTIARY else "general2"
    if t == InstitutionType.SPECIALTY:
        return "psych" if "精神" in inst.name else "infectious"
    return {
        InstitutionType.TCM_HOSPITAL: "tcm",
        InstitutionType.MCH: "mch",
        InstitutionType.PRIVATE_HOSPITAL: "private",
        InstitutionType.TOWNSHIP_HC: "township",
        InstitutionType.COMMUNITY_HC: "community",
        InstitutionType.VILLAGE_CLINIC: "village",
    }.get(t)


def _quality_of(inst: OrgUnit, city: DemoCity) -> float:
    for county in city.counties:
        if inst.path.startswith(county.path):
            return city.specs[county.code].quality
    return 0.8  # city hospitals


def _beds_in(inst: OrgUnit, k: int, rng_seed: str) -> int:
    rng = random.Random(rng_seed)
    return round((inst.beds or 0) * rng.uniform(1.0, 1.12) * (1 + 0.015 * k))


def _resource_figures(values: Values, inst: OrgUnit, cal: DemoCalendar, seed: int) -> None:
    key = _profile_key(inst)
    base = random.Random(f"{seed}:{inst.code}:resources")
    if inst.inst_type == InstitutionType.CDC:
        doctors0, nurses0 = base.randint(25, 70), base.randint(5, 15)
    elif key in ("township", "community"):
        doctors0 = base.randint(18, 48) if key == "township" else base.randint(22, 52)
        nurses0 = round(doctors0 * base.uniform(*PROFILES[key].nurse_ratio))
    elif key == "village":
        doctors0, nurses0 = base.randint(0, 2), base.randint(0, 1)
    else:
        doctors0 = nurses0 = 0
    paed_share = base.uniform(0.05, 0.07)
    obst_share = base.uniform(0.05, 0.08)
    pathway0 = base.randint(*PROFILES[key].pathway_diseases) if key else 0
    gps0 = (
        base.randint(6, 14)
        if key in ("township", "community")
        else base.randint(6, 16)
        if key in ("general2", "general3")
        else 0
    )
    for k, year in enumerate(cal.years):
        rng = random.Random(f"{seed}:{inst.code}:{year}:resources")
        beds = _beds_in(inst, k, f"{seed}:{inst.code}:beds:{year}")
        if beds:
            doctors = (
                round(beds * PROFILES[key].doctors_per_bed * rng.uniform(0.9, 1.1))
                if key not in ("township", "community")
                else round(doctors0 * (1 + 0.03 * k))
            )
        else:
            doctors = round(doctors0 * (1 + 0.03 * k))
        nurse_ratio = PROFILES[key].nurse_ratio if key else (0.2, 0.3)
        nurses = round(doctors * rng.uniform(*nurse_ratio)) if beds else round(nurses0 * (1 + 0.03 * k))
        code = str(year)
        if beds:
            values.put("BEDS_ACTUAL", inst, code, beds)
        hospital = key in ("general3", "general2", "tcm", "mch", "psych", "infectious", "private")
        if hospital:
            paed = {"mch": 0.30, "psych": 0.0, "infectious": 0.04}.get(key, paed_share) * (1 + 0.06 * k)
            obst = {"mch": 0.35, "psych": 0.0, "infectious": 0.0, "tcm": obst_share / 2}.get(key, obst_share)
            psych = {"psych": 1.0, "general3": 0.02}.get(key, 0.0)
            values.put("BEDS_PAEDIATRIC", inst, code, round(beds * paed))
            values.put("BEDS_OBSTETRIC", inst, code, round(beds * obst))
            values.put("BEDS_PSYCH", inst, code, round(beds * psych) if key != "psych" else beds)
        values.put("DOCTORS", inst, code, doctors)
        values.put("NURSES", inst, code, nurses)
        values.put("HEALTH_WORKERS", inst, code, round((doctors + nurses) * rng.uniform(1.22, 1.35)))
        if gps0:
            values.put("GPS", inst, code, gps0 + k)
        tcm_share = 0.55 if key == "tcm" else 0.12 if key in ("township", "community") else 0.06
        values.put("TCM_DOCTORS", inst, code, round(doctors * tcm_share))
        if pathway0:
            values.put("PATHWAY_DISEASES", inst, code, pathway0 + 8 * k if hospital else pathway0 + k)


def _service_figures(values: Values, inst: OrgUnit, quality: float, cal: DemoCalendar, seed: int) -> None:
    key = _profile_key(inst)
    if key is None:
        return
    p = PROFILES[key]
    base = random.Random(f"{seed}:{inst.code}:service")

    def pick(bounds: tuple[float, float], good_high: bool = True) -> float:
        # Better-run counties sit towards the good end of each range.
        lo, hi = bounds
        t = _clamp(quality + base.uniform(-0.25, 0.25), 0.0, 1.0)
        return lo + (hi - lo) * (t if good_high else 1 - t)

    opd_base = base.uniform(*p.opd) * ((inst.beds or 0) if p.per_bed else 1)
    er, other = p.er * base.uniform(0.8, 1.2), base.uniform(*p.other)
    occupancy, alos = base.uniform(*p.occupancy), pick(p.alos, good_high=False)
    surgery, l3l4, l4 = base.uniform(*p.surgery), pick(p.l3l4), pick(p.l4)
    opd_cost, ip_cost = pick(p.opd_cost, good_high=False), pick(p.ip_cost, good_high=False)
    drug, service, material = (
        pick(p.drug, good_high=False),
        pick(p.service),
        pick(p.material, good_high=False),
    )
    appointment, pathway = base.uniform(*p.appointment), base.uniform(*p.pathway)
    referral_up, referral_down = base.uniform(*p.referral_up), base.uniform(*p.referral_down)
    completion = base.uniform(0.85, 0.95)
    village = key == "village"
    for k, year in enumerate(cal.years):
        beds = _beds_in(inst, k, f"{seed}:{inst.code}:beds:{year}")
        rng = random.Random(f"{seed}:{inst.code}:{year}:service")
        trend = 1.035**k
        for month in cal.months[year]:
            period = f"{year}{month:02d}"
            factor = SEASON[month - 1] * trend * rng.uniform(0.95, 1.05)
            opd = round(opd_base * factor)
            values.put("OPD_VISITS", inst, period, opd)
            values.put("OTHER_VISITS", inst, period, round(opd * other))
            values.put("REFERRAL_UP", inst, period, round(opd * referral_up * rng.uniform(0.8, 1.2)))
            if village:
                continue
            er_visits = round(opd * er * rng.uniform(0.9, 1.1))
            values.put("ER_VISITS", inst, period, er_visits)
            values.put("OPD_APPOINTMENTS", inst, period, _binom(rng, opd, appointment))
            discharges = 0
            if beds:
                open_days = beds * calendar.monthrange(year, month)[1]
                occupied = round(
                    open_days * occupancy * (0.93 + 0.07 * SEASON[month - 1]) * rng.uniform(0.97, 1.03)
                )
                discharges = round(occupied / alos * rng.uniform(0.96, 1.04))
                values.put("OPEN_BED_DAYS", inst, period, open_days)
                values.put("OCCUPIED_BED_DAYS", inst, period, occupied)
                values.put("DISCHARGES", inst, period, discharges)
                values.put("INPATIENT_DAYS", inst, period, round(discharges * alos * rng.uniform(0.97, 1.03)))
                operated = _binom(rng, discharges, surgery)
                graded = _binom(rng, operated, min(0.95, l3l4 + 0.015 * k))
                values.put("SURG_INPATIENT", inst, period, operated)
                values.put("SURG_L3L4", inst, period, graded)
                values.put("SURG_L4", inst, period, _binom(rng, graded, min(1.0, l4 / l3l4) if l3l4 else 0))
                if pathway:
                    entered = _binom(rng, discharges, pathway)
                    values.put("PATHWAY_ENTERED", inst, period, entered)
                    values.put("PATHWAY_COMPLETED", inst, period, _binom(rng, entered, completion))
                values.put(
                    "REFERRAL_DOWN", inst, period, round(discharges * referral_down * rng.uniform(0.8, 1.2))
                )
            cost_trend = 1.03**k
            opd_revenue = _money((opd + er_visits) * opd_cost * cost_trend * rng.uniform(0.97, 1.03))
            ip_revenue = _money(discharges * ip_cost * cost_trend * rng.uniform(0.97, 1.03))
            medical = opd_revenue + ip_revenue
            drug_share = max(0.1, drug - 0.008 * k)
            drugs = _money(float(medical) * drug_share * 10000 * rng.uniform(0.98, 1.02))
            values.put("OPD_REVENUE", inst, period, opd_revenue)
            values.put("INPATIENT_REVENUE", inst, period, ip_revenue)
            values.put("MED_REVENUE", inst, period, medical)
            values.put("DRUG_REVENUE", inst, period, drugs)
            values.put(
                "SERVICE_REVENUE",
                inst,
                period,
                _money(float(medical) * (service + 0.008 * k) * 10000 * rng.uniform(0.98, 1.02)),
            )
            values.put(
                "MATERIAL_COST",
                inst,
                period,
                _money(float(medical - drugs) * material * 10000 * rng.uniform(0.97, 1.03)),
            )


# --- sampling ----------------------------------------------------------------------------


def _money(yuan: float) -> Decimal:
    """元 → 万元, to the cent of a 万元 (two decimals)."""
    return (Decimal(str(round(yuan))) / 10000).quantize(CENT)


def _clamp(x: float, lo: float = 0.0, hi: float = 0.999) -> float:
    return max(lo, min(hi, x))


def _jitter(rng: random.Random, rate: float, sd: float = 0.015) -> float:
    return _clamp(rate + rng.gauss(0, sd))


def _binom(rng: random.Random, n: int, p: float) -> int:
    """A binomial draw: exact for small n, its normal approximation for large n."""
    n = int(n)
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if n < 40:
        return sum(rng.random() < p for _ in range(n))
    mean, sd = n * p, math.sqrt(n * p * (1 - p))
    return max(0, min(n, round(rng.gauss(mean, sd))))


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Share an integer total out over periods in proportion to noisy weights."""
    if not weights:
        return []
    noisy = [w * rng.uniform(0.92, 1.08) for w in weights]
    s = sum(noisy)
    raw = [total * w / s for w in noisy]
    parts = [int(r) for r in raw]
    rest = total - sum(parts)
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[:rest]:
        parts[i] += 1
    return parts


def _scatter(rng: random.Random, events: int, weights: list[float]) -> list[int]:
    """Place a few rare events (deaths) in random periods."""
    counts = [0] * len(weights)
    for _ in range(events):
        counts[rng.choices(range(len(weights)), weights=weights)[0]] += 1
    return counts
