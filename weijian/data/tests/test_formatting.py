from decimal import Decimal

import pytest
from django.template import Context, Template

from weijian.data.aggregate import Figure
from weijian.data.formatting import format_figure


@pytest.mark.parametrize(
    "value,unit,decimals,expected",
    [
        (Decimal("12000"), "人", 2, "1.2万人"),
        (Decimal("345000000"), "元", 2, "3.45亿元"),
        (Decimal("1256789"), "人次", 2, "125.68万人次"),
        (Decimal("9876"), "人", 0, "9876人"),
        (Decimal("12345"), "人", 0, "1.23万人"),
        (Decimal("3.50"), "天", 2, "3.5天"),
        (Decimal("92.3"), "%", 2, "92.30%"),
        (Decimal("3.21"), "‰", 1, "3.2‰"),
        (Decimal("16.08"), "1/10万", 1, "16.1/10万"),
        (Decimal("25000"), "万元", 2, "2.5亿元"),
        (Decimal("-15000"), "人", 1, "-1.5万人"),
        (None, "%", 2, "—"),
    ],
)
def test_figures_are_written_as_the_commission_writes_them(value, unit, decimals, expected):
    assert format_figure(value, unit, decimals) == expected


def test_template_filter_formats_figures_and_bare_numbers():
    html = Template('{% load figures %}{{ fig|figure }} {{ n|figure:"人" }} {{ none|figure }}').render(
        Context({"fig": Figure(Decimal("95.456"), None, None, "%", 1), "n": 23456, "none": None})
    )
    assert html == "95.5% 2.35万人 —"
