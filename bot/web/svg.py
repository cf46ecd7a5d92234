"""Bar charts as SVG geometry (the template draws them): no script, no inline style, labels in any script."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
TOP, BOTTOM, SIDE = 26, 40, 8


@dataclass(frozen=True)
class Bar:
    """One bar: where it stands, how tall, its label and value, and where they are written."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    centre: float


@dataclass(frozen=True)
class Chart:
    """A bar chart's viewBox size, baseline and bars."""

    width: int
    height: int
    baseline: float
    bars: list[Bar]
    total: int


def bar_chart(values: list[tuple[str, int]], *, width: int = WIDTH, height: int = HEIGHT) -> Chart:
    """Bars for (label, value) pairs, scaled to the largest value."""
    top = max((v for _, v in values), default=0) or 1
    slot = (width - 2 * SIDE) / max(len(values), 1)
    room = height - TOP - BOTTOM
    bars = []
    for i, (label, value) in enumerate(values):
        tall = room * value / top
        x = SIDE + i * slot + slot * 0.15
        bars.append(
            Bar(
                round(x, 1),
                round(TOP + room - tall, 1),
                round(slot * 0.7, 1),
                round(tall, 1),
                label,
                value,
                round(x + slot * 0.35, 1),
            )
        )
    return Chart(width, height, TOP + room, bars, sum(v for _, v in values))
