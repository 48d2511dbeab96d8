"""A small reporting situation for the page and API tests: hypertension management reported
monthly by the four institutions of the test city for 2023 and 2024."""

import pytest

from weijian import testing


@pytest.fixture
def reporting(city):
    managed = testing.element("HTN_MGD", "高血压患者规范管理人数", "人")
    total = testing.element("HTN_ALL", "高血压患者管理人数", "人")
    rate = testing.indicator(
        "HTN_RATE",
        "高血压患者规范管理率",
        "HTN_MGD",
        "HTN_ALL",
        factor=100,
        unit="%",
        category="基本公共卫生",
        is_key=True,
        definition="规范管理人数占管理人数的比例",
    )
    form = testing.dataset("HTN_M", "高血压管理月报", [managed, total], "M", org_levels=[5])
    # Per month, January and February. 2024: 甲县 (120+60)/(200+100) = 60%, 乙区 (10+10)/(100+100)
    # = 10%, the city 400/1000 = 40.00% (the mean of the county rates would be 35%).
    # 2023: 甲县 (30+15)/(100+50) = 30%, 乙区 (2+2)/(50+50) = 4%, the city 98/500 = 19.60%.
    per_month = {
        "2024": {
            city.hospital_a: (120, 200),
            city.clinic_a: (60, 100),
            city.hospital_b: (10, 100),
            city.clinic_b: (10, 100),
        },
        "2023": {
            city.hospital_a: (30, 100),
            city.clinic_a: (15, 50),
            city.hospital_b: (2, 50),
            city.clinic_b: (2, 50),
        },
    }
    for year, units in per_month.items():
        for unit, (m, t) in units.items():
            for month in ("01", "02"):
                testing.value(managed, unit, f"{year}{month}", m)
                testing.value(total, unit, f"{year}{month}", t)
    return {"managed": managed, "total": total, "rate": rate, "form": form}
