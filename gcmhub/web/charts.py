"""Charts as SVG geometry, computed on the server: horizontal bars and lines over time.

Pages draw them with the macros of `templates/charts.html` (role="img", a title and a
description) and always put the numbers in a data table under the chart, so a chart adds a
picture and never holds a number the table does not. Used by the start-up fund's pages and the
data pages (gcmhub/indicators/views.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

CHART_WIDTH = 690
CHART_ROWS = 12  # bars drawn; the data table under a chart lists every row
BAR_ROOM = 470  # the longest bar; the rest of the width holds its value
BAR_HEIGHT = 16
BAR_GAP = 4
LABEL_HEIGHT = 18
GROUP_GAP = 10


@dataclass
class Bar:
    """One bar of a chart: its series, place and size, and its value written out."""

    series: int
    y: float
    width: float
    text: str


@dataclass
class Group:
    """The bars of one row (a donor, an area…) under its label."""

    label: str
    y: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    """A horizontal bar chart's geometry, ready for the SVG template."""

    width: int
    height: int
    groups: list[Group]
    cut: bool = False


def _exact(value: Decimal | float) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def bar_chart(
    rows: Sequence[tuple[str, Sequence[Decimal | float]]],
    write: Callable[[Any], str],
    limit: int = CHART_ROWS,
) -> Chart:
    """Lay out bars for rows of (label, values): one bar per value, side by side (never
    stacked: the values may be different stages), all on one scale."""
    shown = rows[:limit]
    most = max((_exact(v) for _, values in shown for v in values), default=Decimal(0))
    groups: list[Group] = []
    y = 0.0
    for label, values in shown:
        group = Group(label=label, y=y + 13)
        top = y + LABEL_HEIGHT
        for index, value in enumerate(values):
            width = float(_exact(value) / most * BAR_ROOM) if most else 0.0
            group.bars.append(
                Bar(
                    series=index,
                    y=top + index * (BAR_HEIGHT + BAR_GAP),
                    width=round(max(width, 0.0), 1),
                    text=write(value),
                )
            )
        groups.append(group)
        y = top + len(values) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    return Chart(width=CHART_WIDTH, height=int(y) + 2, groups=groups, cut=len(rows) > limit)


# -- lines over time ---------------------------------------------------------------------------

LINE_HEIGHT = 300
PLOT_START = 78  # room for the value axis' labels
PLOT_END = 640  # the rest holds the targets' labels
PLOT_TOP = 12
PLOT_BOTTOM = 270
MOST_TICKS = 10  # labels on the time axis


@dataclass
class Point:
    """A point of a line: where it is drawn and its value written out."""

    x: float
    y: float
    label: str
    text: str


@dataclass
class Line:
    """One series: its number (for its style), name, path and points."""

    series: int
    name: str
    path: str
    points: list[Point]


@dataclass
class Tick:
    """A labelled place on an axis."""

    at: float
    text: str


@dataclass
class Rule:
    """A horizontal reference line (a target) with its label."""

    y: float
    text: str


@dataclass
class LineChart:
    """A line chart's geometry, ready for the SVG template."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    rules: list[Rule]


def nice_step(span: float, ticks: int = 5) -> float:
    """Return a round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` steps."""
    if span <= 0:
        return 1.0
    rough = span / ticks
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= rough:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    write: Callable[[float], str],
    rules: Sequence[tuple[float, str]] = (),
    tick: Callable[[float], str] | None = None,
) -> LineChart:
    """Lay out lines over the periods `labels`: each series has one value (or None, a gap) per
    label. The value axis starts at 0 and reaches past the largest value and every rule
    (a target such as 3 %); `write` writes a point's value, `tick` an axis label."""
    tick = tick or write
    values = [v for _, points in series for v in points if v is not None]
    top_value = max([*values, *(value for value, _ in rules), 0.0])
    step = nice_step(top_value)
    ceiling = step * max(1, math.ceil(top_value / step - 1e-9))
    if ceiling <= top_value:
        ceiling += step
    height = PLOT_BOTTOM - PLOT_TOP
    count = len(labels)

    def x_of(index: int) -> float:
        if count == 1:
            return (PLOT_START + PLOT_END) / 2
        return round(PLOT_START + index * (PLOT_END - PLOT_START) / (count - 1), 1)

    def y_of(value: float) -> float:
        return round(PLOT_BOTTOM - value / ceiling * height, 1)

    lines = []
    for number, (name, points) in enumerate(series):
        path: list[str] = []
        drawn: list[Point] = []
        pen_down = False
        for index, value in enumerate(points):
            if value is None:
                pen_down = False
                continue
            x, y = x_of(index), y_of(value)
            path.append(f"{'L' if pen_down else 'M'}{x},{y}")
            pen_down = True
            drawn.append(Point(x=x, y=y, label=labels[index], text=write(value)))
        lines.append(Line(series=number, name=name, path=" ".join(path), points=drawn))
    every = max(1, math.ceil(count / MOST_TICKS))
    x_ticks = [
        Tick(at=x_of(i), text=label)
        for i, label in enumerate(labels)
        if (count - 1 - i) % every == 0  # counted from the latest, which is always labelled
    ]
    y_ticks = []
    value = 0.0
    while value <= ceiling + 1e-9:
        y_ticks.append(Tick(at=y_of(value), text=tick(value)))
        value += step
    return LineChart(
        width=CHART_WIDTH,
        height=LINE_HEIGHT,
        left=PLOT_START,
        right=PLOT_END,
        top=PLOT_TOP,
        bottom=PLOT_BOTTOM,
        lines=lines,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        rules=[Rule(y=y_of(value), text=text) for value, text in rules],
    )
