"""In a real browser with the Content-Security-Policy on: charts draw, htmx swaps, the language
switch submits, and the browser reports no blocked script or style."""

import pytest

from weijian.web.tests import test_browser

# The browser tests' fixtures and marks (chromium, live server, skipped with a reason without it).
browser, page_for = test_browser.browser, test_browser.page_for
pytestmark = test_browser.pytestmark


def _watch(page) -> list[str]:
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    return blocked


def test_pages_work_under_the_csp(page_for, users, reporting):
    page = page_for("t_county")
    blocked = _watch(page)
    page.reload()
    page.wait_for_selector("[data-chart='chart-HTN_RATE'] svg")  # ECharts drew

    page.goto("/data/entry/")
    page.wait_for_selector("select[name=period]")
    before = page.locator("#entry h2").first.inner_text()
    page.select_option("select[name=period]", index=2)  # htmx swaps the form in place
    page.wait_for_function(
        "before => document.querySelector('#entry h2') && document.querySelector('#entry h2').innerText !== before",
        arg=before,
    )

    page.goto("/analysis/?target=HTN_RATE&org_unit=C01A&period=2024")
    page.wait_for_selector(".chart svg")

    with page.expect_navigation():  # site.js submits the form; wait for the page it brings
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert blocked == [], blocked


@pytest.mark.parametrize("path", ["/no/such/page/"])
def test_error_pages_are_styled(page_for, users, path, tmp_path):
    page = page_for("t_county")
    response = page.goto(path)
    assert response.status == 404
    assert page.locator(".error-page .error-code").inner_text() == "404"
    # The stylesheet applied: the code is in the brand colour, not the default black.
    colour = page.locator(".error-code").evaluate("e => getComputedStyle(e).color")
    assert colour != "rgb(0, 0, 0)"
    page.screenshot(path=str(tmp_path / "404.png"))
