"""Charts: valid PNGs of the expected size, with content, and Chinese labels drawn in a CJK font."""

from __future__ import annotations

import struct
import subprocess
import sys
import warnings
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from handlers.assessment.charts import (
    BAR_COLOUR,
    CJK_FAMILIES,
    HEIGHT_PX,
    WIDTH_PX,
    activities_per_month,
    by_category,
    font_families,
    months_between,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def colour_share(path: Path, rgb: tuple[int, int, int]) -> float:
    image = Image.open(path).convert("RGB")
    total = image.width * image.height
    colours: list[tuple[int, tuple[int, ...]]] = image.getcolors(maxcolors=total) or []  # type: ignore[assignment]
    return sum(n for n, c in colours if all(abs(a - b) < 8 for a, b in zip(c, rgb, strict=True))) / total


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_months_between_spans_years() -> None:
    assert months_between(date(2025, 11, 30), date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_activities_chart_is_a_png_with_bars(tmp_path: Path) -> None:
    counts = Counter({"2025-06": 3, "2025-07": 1, "2026-01": 5})
    path = activities_per_month(
        counts,
        start=date(2025, 6, 1),
        end=date(2026, 12, 1),
        path=tmp_path / "m.png",
        title="王建国技师创新工作室：每月活动次数",
        x_label="月份",
        y_label="次数",
    )
    assert png_size(path) == (WIDTH_PX, HEIGHT_PX)
    assert 0.005 < colour_share(path, hex_rgb(BAR_COLOUR)) < 0.5
    assert colour_share(path, (255, 255, 255)) < 0.98


def test_empty_chart_says_so_instead_of_bars(tmp_path: Path) -> None:
    path = by_category(Counter(), path=tmp_path / "e.png", title="成果按类别", x_label="项数", empty_text="暂无记录")
    assert png_size(path) == (WIDTH_PX, HEIGHT_PX)
    assert colour_share(path, hex_rgb(BAR_COLOUR)) == 0
    assert colour_share(path, (255, 255, 255)) < 1


def test_chinese_labels_need_no_missing_glyph(tmp_path: Path) -> None:
    if not any(name in font_families() for name in CJK_FAMILIES):
        pytest.skip("no CJK font installed (scripts/system-deps.sh installs fonts-wqy-microhei)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = by_category(
            Counter({"小革新": 4, "合理化建议": 2}),
            path=tmp_path / "c.png",
            title="成果按类别",
            x_label="项数",
            empty_text="暂无",
        )
    assert not [w for w in caught if "Glyph" in str(w.message)]
    assert png_size(path) == (WIDTH_PX, HEIGHT_PX)
    assert colour_share(path, hex_rgb(BAR_COLOUR)) > 0.05


def test_the_bot_and_the_cli_start_without_loading_matplotlib() -> None:
    # matplotlib costs ~0.4 s to import: a chart pays for it, not every admin command or start of the bot
    code = (
        "import sys, bot.cli, bot.cli.serve, bot.http.app;"
        "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
