"""In a real browser (issue 9, item 4): the admin imports a scheme from Excel, the county
self-assesses with evidence, a reviewer scores the qualitative item, the county appeals, the
appeal is decided by the admin, the result is locked and the 通报 downloads."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from weijian import testing
from weijian.accounts.models import Role
from weijian.assessment.models import Appeal, ItemScore, Result, Scheme, Stage
from weijian.assessment.tests import helpers
from weijian.assessment.tests.test_import import xlsx

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = os.environ.get("WEIJIAN_SHOTS")  # a directory to keep the screenshots in, when set

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no system Chromium at /usr/bin/chromium (browsers are never downloaded)",
    ),
    pytest.mark.django_db(transaction=True),
]

ROWS = [
    ("公共卫生", "免疫规划疫苗接种率", 20, "适龄儿童免疫规划疫苗接种率", "达到95%及以上得满分，否则不得分"),
    ("综合管理", "党建工作", 10, "", "由评审组评定：好得满分，较好得80%，一般得60%，差不得分"),
]


@pytest.fixture
def plain_http(settings):
    # The live test server speaks plain HTTP; production settings (DEBUG off) would redirect to
    # HTTPS and mark cookies secure.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0


@pytest.fixture
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


def _login(browser, live_server, user):
    page = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", testing.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _advance(page, live_server, scheme, label):
    page.goto(f"{live_server.url}/assessment/{scheme.pk}/")
    page.click("button:has-text('进入下一环节')")
    page.wait_for_selector(f"text=已进入“{label}”环节")


def test_import_self_assess_review_appeal_decide_publish(plain_http, browser, live_server, tmp_path):
    city = testing.make_city()
    users = testing.make_users(city)
    from weijian.orgs.models import Department

    reviewer = testing.make_user(
        "t_reviewer", Role.DEPARTMENT, department=Department.objects.create(name="规划科"), first_name="王审"
    )
    year = timezone.localdate().year - 1
    helpers.figures(city, year)
    sheet = tmp_path / "县区考核细则.xlsx"
    sheet.write_bytes(xlsx(ROWS))

    # The admin imports the table, checks the preview and confirms.
    admin = _login(browser, live_server, users["admin"])
    admin.goto(f"{live_server.url}/assessment/import/")
    admin.set_input_files("input[name=file]", str(sheet))
    admin.select_option("select[name=year]", str(year))
    admin.click("button:has-text('上传并识别')")
    admin.wait_for_selector("text=核对考核细则")
    assert "达标计分" in admin.content() and "评审评定" in admin.content()
    _shot(admin, "import_preview")
    admin.click("button:has-text('确认导入')")
    admin.wait_for_selector("text=已导入")
    scheme = Scheme.objects.get()
    assert scheme.items.count() == 2
    # Name the reviewer, then issue and open self-assessment.
    admin.click("summary:has-text('设置审核人员')")
    admin.check(f"input[name=reviewers][value='{reviewer.pk}']")
    admin.click("button:has-text('保存审核人员')")
    admin.wait_for_selector("text=审核人员已设为：王审")
    _advance(admin, live_server, scheme, "下达")
    _advance(admin, live_server, scheme, "自评")

    # The county self-assesses the qualitative item with evidence.
    result = Result.objects.get(scheme=scheme, org_unit=city.county_a)
    party = ItemScore.objects.get(result=result, item__name="党建工作")
    county = _login(browser, live_server, users["county"])
    county.goto(f"{live_server.url}/assessment/results/{result.pk}/")
    row = county.locator(f"tr#s{party.pk}")
    row.locator("summary:has-text('自评与佐证')").click()
    row.locator("input[name=self_points]").fill("10")
    row.locator("textarea[name=self_note]").fill("党建台账齐全，全年专题学习12次。")
    evidence = tmp_path / "党建工作台账.pdf"
    evidence.write_bytes(b"%PDF-1.4 demo evidence")
    row.locator("input[name=file]").set_input_files(str(evidence))
    row.locator("button:has-text('保存')").click()
    county.wait_for_selector("text=已保存“党建工作”的自评")
    county.click("button:has-text('提交自评')")
    county.wait_for_selector("text=自评已提交")
    assert county.locator("a:has-text('党建工作台账.pdf')").count() == 1
    _shot(county, "self_assessment")

    # Scores are computed at 审核; the reviewer scores the qualitative item of both counties.
    _advance(admin, live_server, scheme, "审核")
    rev = _login(browser, live_server, reviewer)
    for unit, level in ((city.county_a, "一般"), (city.county_b, "较好")):
        r = Result.objects.get(scheme=scheme, org_unit=unit)
        s = ItemScore.objects.get(result=r, item__name="党建工作")
        rev.goto(f"{live_server.url}/assessment/results/{r.pk}/")
        form = rev.locator(f"tr#s{s.pk} form[action$='/review/']")
        form.locator("select[name=level]").select_option(level)
        form.locator("textarea[name=reason]").fill(
            "查阅台账，部分专题学习记录不全" if level == "一般" else "资料齐全"
        )
        form.locator("button:has-text('保存评分')").click()
        rev.wait_for_selector("text=已记录“党建工作”的评分")
    party.refresh_from_db()
    assert party.points == 6
    _shot(rev, "review")

    # 预公示: the county appeals the qualitative score.
    _advance(admin, live_server, scheme, "预公示")
    county.goto(f"{live_server.url}/assessment/results/{result.pk}/")
    assert "26" in county.locator(".kpi").first.inner_text()  # 20 + 6
    row = county.locator(f"tr#s{party.pk}")
    row.locator("summary:has-text('申诉')").click()
    row.locator("textarea[name=text]").fill("专题学习记录已补充完整，见佐证材料，请复核。")
    row.locator("input[name=requested]").fill("8")
    row.locator("button:has-text('提出申诉')").click()
    county.wait_for_selector("text=已就“党建工作”提出申诉")
    appeal = Appeal.objects.get()

    # The reviewer who scored it may not decide; the admin does, with an opinion.
    _advance(admin, live_server, scheme, "申诉")
    rev.goto(f"{live_server.url}/assessment/appeals/{appeal.pk}/")
    assert "申诉须由其他人员处理" in rev.content()
    admin.goto(f"{live_server.url}/assessment/appeals/{appeal.pk}/")
    admin.check("input[name=outcome][value=upheld]")
    admin.fill("input[name=new_points]", "8")
    admin.fill("textarea[name=opinion]", "经复核，补充材料属实，调整为较好。")
    admin.click("button:has-text('提交处理意见')")
    admin.wait_for_selector("text=申诉已处理")
    party.refresh_from_db()
    assert party.points == 8
    _shot(admin, "appeal")

    # 审定 locks the result; the 通报 downloads.
    _advance(admin, live_server, scheme, "审定")
    county.goto(f"{live_server.url}/assessment/results/{result.pk}/")
    assert county.locator("summary:has-text('申诉')").count() == 0
    assert county.locator("button:has-text('提交自评')").count() == 0
    assert "28" in county.locator(".kpi").first.inner_text()
    admin.goto(f"{live_server.url}/assessment/{scheme.pk}/")
    with admin.expect_download() as dl:
        admin.click("a:has-text('下载结果通报')")
    path = dl.value.path()
    from docx import Document

    text = "\n".join(p.text for p in Document(path).paragraphs)
    assert "考核结果" in text and "甲县" in text
    scheme.refresh_from_db()
    assert scheme.stage == Stage.DECIDED and scheme.results_final
