"""In a real browser (Debian's chromium, headless): a county user sees its own county only;
a value entered in the form changes the city's figure on the analysis page."""

import os
from pathlib import Path

import pytest

from weijian import testing

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# fixtures meanwhile are safe (one thread, one test).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"{CHROMIUM} missing: install Debian's chromium (apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def login(username: str):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", testing.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield login
    for c in contexts:
        c.close()


def test_county_user_sees_its_own_county_only(page_for, users, reporting):
    page = page_for("t_county")
    main = page.locator("main")
    assert "甲县" in main.inner_text() and "60.00%" in main.inner_text()
    assert "乙区" not in main.inner_text()
    # The chart was drawn (ECharts renders an SVG into the card).
    page.wait_for_selector("[data-chart='chart-HTN_RATE'] svg")

    page.click("nav.mainnav >> text=机构")
    tree = page.locator("main").inner_text()
    assert "甲县人民医院" in tree and "乙区" not in tree and "示例市" not in tree

    page.click("nav.mainnav >> text=数据分析")
    analysis = page.locator("main").inner_text()
    assert "甲县" in analysis and "乙区" not in analysis
    options = page.locator("select[name=org_unit] option").all_inner_texts()
    assert not any("乙区" in o for o in options)

    response = page.goto("/orgs/C01B/")
    assert response.status == 404
    assert "乙区人民医院" not in page.content()
    response = page.goto("/analysis/?target=HTN_RATE&org_unit=C01B&period=2024")
    assert response.status == 404


def test_entered_value_changes_the_city_figure(page_for, users, reporting):
    viewer = page_for("t_leader")
    city_url = "/analysis/?target=HTN_RATE&org_unit=C01&period=2024"
    viewer.goto(city_url)
    assert viewer.inner_text("#figure-value") == "40.00%"

    county = page_for("t_county")
    county.click("nav.mainnav >> text=数据填报")
    county.select_option("select[name=org_unit]", "C01A01")
    county.wait_for_selector("#entry h2:has-text('甲县人民医院')")
    county.goto("/data/entry/?dataset=HTN_M&org_unit=C01A01&period=202401")
    field = county.get_by_label("高血压患者规范管理人数")
    assert field.input_value() == "120"
    field.fill("150")
    county.click("#entry button.primary")
    county.wait_for_selector("#entry .messages li.success")
    assert "已保存" in county.inner_text("#entry")

    viewer.goto(city_url)
    # (150 + 60 + 10 + 10 + 120 + 60 + 10 + 10) / 1000 = 43.00%
    assert viewer.inner_text("#figure-value") == "43.00%"
    viewer.goto("/analysis/?target=HTN_MGD&org_unit=C01&period=2024")
    assert viewer.inner_text("#figure-value") == "430人"
