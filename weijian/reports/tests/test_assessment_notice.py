"""The assessment's 通报 is taken into the reports when its results are final: listed for those
who may see the ranking, stored as a report (preview, download, proofreading), refused otherwise."""

from django.urls import reverse
from django.utils import timezone

from weijian.assessment import workflow
from weijian.assessment.models import ItemScore, Stage
from weijian.assessment.tests import helpers
from weijian.reports.models import Report


def test_decided_assessment_notice_becomes_a_report_for_those_who_see_the_ranking(
    client, users, city, reviewer
):
    year = timezone.localdate().year - 1
    scheme = helpers.scheme(city, users["admin"], year, reviewers=[reviewer])
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    for unit in (city.county_a, city.county_b):
        score = ItemScore.objects.get(result__scheme=scheme, result__org_unit=unit, item__num="3")
        workflow.review(reviewer, score, level="好", reason="评审")
    helpers.to_stage(scheme, users["admin"], Stage.DECIDED)

    client.force_login(users["county"])  # not published yet: a unit sees only its own score
    assert "考核结果通报" not in client.get(reverse("reports:index")).content.decode()
    client.post(reverse("reports:assessment_notice", args=[scheme.pk]))
    assert not Report.objects.exists()

    client.force_login(users["leader"])
    assert scheme.name in client.get(reverse("reports:index")).content.decode()
    r = client.post(reverse("reports:assessment_notice", args=[scheme.pk]))
    report = Report.objects.get()
    assert r.status_code == 302 and report.org_unit == city.city
    assert report.title == f"关于{scheme.name}结果的通报"
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "甲县" in page and "乙区" in page
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 200
