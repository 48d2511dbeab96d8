"""Charts for Word files: the page charts (weijian.web.dashboard.Trend.as_chart()) drawn as PNG
with matplotlib, the same labels and numbers.

Chinese labels need a CJK font. We look for one in this order: the Noto Sans CJK collection
shipped by the `noto-cjk-sans-otc` package (a project dependency, so every install has it),
then system fonts (Debian fonts-noto-cjk, fonts-wqy-zenhei). Without any, the chart is still
drawn, with its Chinese labels replaced by their positions and a note saying why, rather than
rows of empty boxes.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

_SYSTEM_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
]
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
NO_FONT_NOTE = "No CJK font found: Chinese labels omitted"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a usable CJK font (registered with matplotlib), or None."""
    candidates: list[str] = []
    try:
        import noto_cjk_sans_otc

        candidates.append(str(noto_cjk_sans_otc.FONT_PATH))
    except ImportError:
        pass
    candidates += _SYSTEM_FONTS
    for path in candidates:
        if Path(path).exists():
            try:
                font_manager.fontManager.addfont(path)
                return font_manager.FontProperties(fname=path).get_name()
            except (OSError, RuntimeError, ValueError):
                continue
    return None


def _plain(text: str, font: str | None, fallback: str) -> str:
    return text if font or not _CJK.search(text or "") else fallback


def png(chart: dict, *, width_in: float = 6.2, height_in: float = 3.2, font: str | None = ...) -> bytes:
    """Draw one chart dict: {"title", "labels", "unit", "kind": "line"|"bar", "series": [{"name", "data"}]}."""
    family = cjk_font() if font is ... else font
    labels = [_plain(str(lb), family, str(i + 1)) for i, lb in enumerate(chart.get("labels", []))]
    unit = chart.get("unit", "")
    style = {"font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"], "font.size": 9}
    with plt.rc_context(style):
        fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=150)
        try:
            series = chart.get("series", [])
            x = list(range(len(labels)))
            if chart.get("kind") == "bar":
                n = max(len(series), 1)
                width = 0.8 / n
                for k, s in enumerate(series):
                    data = [v if v is not None else 0 for v in s["data"]]
                    ax.bar(
                        [i + (k - (n - 1) / 2) * width for i in x],
                        data,
                        width,
                        label=_plain(s["name"], family, f"S{k + 1}"),
                        color="#c0392b" if k == 0 else "#7f8c8d",
                    )
            else:
                for k, s in enumerate(series):
                    ax.plot(
                        x,
                        [v if v is not None else float("nan") for v in s["data"]],
                        marker="o",
                        markersize=3,
                        label=_plain(s["name"], family, f"S{k + 1}"),
                        color=["#c0392b", "#7f8c8d", "#2c3e50"][k % 3],
                    )
            ax.set_xticks(x)
            ax.set_xticklabels(
                labels, rotation=30 if len(labels) > 8 else 0, ha="right" if len(labels) > 8 else "center"
            )
            ax.set_title(_plain(chart.get("title", ""), family, ""))
            if unit:
                ax.set_ylabel(_plain(unit, family, ""))
            if len(series) > 1:
                ax.legend(frameon=False)
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="y", alpha=0.3)
            if not family:
                fig.text(0.01, 0.01, NO_FONT_NOTE, fontsize=8, color="#c0392b")
            fig.tight_layout()
            out = io.BytesIO()
            fig.savefig(out, format="png")
            return out.getvalue()
        finally:
            plt.close(fig)
