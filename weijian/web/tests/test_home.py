"""Home: the key indicators of the user's own area for the latest complete year."""

import json

from weijian.web import dashboard


def _charts(response) -> dict:
    html = response.content.decode()
    start = html.index('id="chart-data"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def test_leader_sees_the_city_rate_recomputed_from_sums(client, users, reporting):
    client.force_login(users["leader"])
    response = client.get("/")
    page = response.content.decode()
    assert "示例市" in page and "2024年" in page
    assert "高血压患者规范管理率" in page
    assert "40.00%" in page  # 400 / 1000, not the mean of 60% and 10%
    assert "提高20.40个百分点" in page  # 2023: 98 / 500 = 19.60%


def test_county_user_sees_its_own_county_only(client, users, reporting):
    client.force_login(users["county"])
    page = client.get("/").content.decode()
    assert "甲县" in page and "60.00%" in page
    assert "40.00%" not in page and "乙区" not in page


def test_home_chart_data_is_the_monthly_trend_of_two_years(client, users, reporting):
    client.force_login(users["county"])
    chart = _charts(client.get("/"))["chart-HTN_RATE"]
    assert len(chart["labels"]) == 12
    lines = {s["name"]: s["data"] for s in chart["series"]}
    assert lines["2024年"][:3] == [60.0, 60.0, None]
    assert lines["2023年"][:2] == [30.0, 30.0]


def test_latest_complete_year_skips_the_running_year(city, reporting):
    from datetime import date

    from weijian import testing

    testing.value(reporting["managed"], city.hospital_a, "202503", 1)
    assert dashboard.latest_complete_year(city.city, today=date(2025, 6, 1)) == "2024"
    assert dashboard.latest_complete_year(city.city, today=date(2026, 1, 5)) == "2025"


def test_user_without_org_unit_sees_a_message_not_data(client, city, reporting):
    from weijian import testing

    lost = testing.make_user("nobody", "county")
    client.force_login(lost)
    page = client.get("/").content.decode()
    assert "还没有分配所属机构" in page and "%" not in page.split("<main")[1]


def test_unit_without_key_figures_sees_the_data_it_reports(client, users, city, reporting):
    from weijian import testing

    reporting["rate"].delete()
    testing.indicator("IMR", "婴儿死亡率", "INF_DEATHS * 1000", "LIVE_BIRTHS", unit="‰", is_key=True)
    client.force_login(users["inst"])
    page = client.get("/").content.decode()
    assert "本单位填报的主要数据" in page and "婴儿死亡率" not in page
    assert "高血压患者规范管理人数" in page and "240人" in page  # 120 × 2 months of 2024


def test_a_saved_value_shows_on_the_next_home_page_although_figures_are_cached(
    client, users, city, reporting
):
    from weijian.data.entry import save_values

    client.force_login(users["leader"])
    assert "40.00%" in client.get("/").content.decode()
    # 乙区's hospital reported 10 of 100 in January 2024; corrected to 90: the city has 480 of 1000.
    save_values(users["admin"], [(reporting["managed"], city.hospital_b, "202401", 90)], source="form")
    page = client.get("/").content.decode()
    assert "48.00%" in page and "40.00%" not in page
