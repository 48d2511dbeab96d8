"""Charts in the Word file: PNG drawn with a CJK font (shipped as a dependency), the same data
as the page's chart, and a plain note instead of empty boxes where no CJK font exists."""

import io

from PIL import Image

from weijian.reports import charts

CHART = {
    "title": "2025年与2024年",
    "labels": ["1月", "2月", "3月"],
    "unit": "%",
    "kind": "line",
    "series": [
        {"name": "2025年", "data": [90.1, None, 92.3]},
        {"name": "2024年", "data": [89.0, 89.5, 90.2]},
    ],
}


def test_a_cjk_font_is_available_from_the_dependencies():
    assert charts.cjk_font()


def test_chart_is_a_png_with_or_without_a_cjk_font():
    for font in (charts.cjk_font(), None):
        data = charts.png(CHART, font=font)
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.width > 600


def test_without_a_cjk_font_chinese_labels_become_positions(monkeypatch):
    seen = {}
    real = charts.plt.subplots

    def spy(*a, **k):
        fig, ax = real(*a, **k)
        seen["fig"], seen["ax"] = fig, ax
        return fig, ax

    monkeypatch.setattr(charts.plt, "subplots", spy)
    monkeypatch.setattr(charts.plt, "close", lambda fig: None)
    charts.png(CHART, font=None)
    labels = [t.get_text() for t in seen["ax"].get_xticklabels()]
    assert labels == ["1", "2", "3"]
    assert any(charts.NO_FONT_NOTE == t.get_text() for t in seen["fig"].texts)
