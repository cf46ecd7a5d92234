"""Charts as PNG files (matplotlib, Agg, no global pyplot state), with a CJK font for Chinese labels."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

log = logging.getLogger(__name__)

# Installed by scripts/system-deps.sh (fonts-wqy-microhei); the others are common alternatives.
CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Droid Sans Fallback")
WIDTH_PX, HEIGHT_PX, DPI = 1000, 500, 100
BAR_COLOUR = "#2F6EBA"
# rc_context changes matplotlib's global settings for a moment: one drawing at a time across threads.
_DRAWING = threading.Lock()


@cache
def font_families() -> tuple[str, ...]:
    """The CJK fonts installed here, then matplotlib's default; warns once if there is no CJK font."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    found = tuple(name for name in CJK_FAMILIES if name in installed)
    if not found:
        log.warning("no CJK font found (install fonts-wqy-microhei): Chinese chart labels will not render")
    return (*found, "DejaVu Sans")


def _rc() -> dict[Any, Any]:
    return {"font.family": "sans-serif", "font.sans-serif": list(font_families()), "axes.unicode_minus": False}


def _axes() -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _save(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=DPI)
    return path


def months_between(start: date, end: date) -> list[str]:
    """Every month from start to end, as YYYY-MM."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def activities_per_month(
    counts: Counter[str], *, start: date, end: date, path: Path, title: str, x_label: str, y_label: str
) -> Path:
    """A bar per month of the period, zero months included."""
    months = months_between(start, end)
    # Text objects take their font when created: build and save the figure inside the font settings.
    with _DRAWING, rc_context(_rc()):
        figure, ax = _axes()
        values = [counts.get(m, 0) for m in months]
        bars = ax.bar(range(len(months)), values, color=BAR_COLOUR)
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], fontsize=8)
        step = max(1, len(months) // 18)  # keep month labels readable on a three-year cycle
        ax.set_xticks(range(0, len(months), step), [months[i] for i in range(0, len(months), step)], rotation=45)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.grid(axis="y", alpha=0.3)
        return _save(figure, path)


def by_category(counts: Counter[str], *, path: Path, title: str, x_label: str, empty_text: str) -> Path:
    """Horizontal bars, the largest category on top; a note instead when there is nothing."""
    with _DRAWING, rc_context(_rc()):
        figure, ax = _axes()
        items = counts.most_common()[::-1]
        if items:
            bars = ax.barh([k for k, _ in items], [n for _, n in items], color=BAR_COLOUR)
            ax.bar_label(bars, padding=3)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(x_label)
            ax.grid(axis="x", alpha=0.3)
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, empty_text, ha="center", va="center", fontsize=16, transform=ax.transAxes)
        ax.set_title(title)
        return _save(figure, path)
