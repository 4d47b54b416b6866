"""The funnel picture (漏斗): one bar per open stage, then won and lost, each
as wide as its count and centred, so the picture narrows the way a funnel
does; the count and value on the bar, how long deals have stood at the stage
beside it, the conversion to the next stage between bars. Planned first
(``plan_funnel``: what a manager will read, testable without pixels), then
drawn with the weekly picture's fonts and lock."""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from handlers.reports.charts import fonts
from handlers.reports.charts.fonts import CjkFace
from handlers.reports.charts.labels import MAX_LABEL_CELLS, Labeller, cells
from handlers.reports.charts.render import DPI, FIGURE_INCHES, MUTED_TEXT, RENDER_LOCK, Fonts

STAGE_COLORS = ("#9cc3e6", "#74a9d8", "#4f8fca", "#2f74b5", "#1f5a94", "#16467a")
WON_COLOR, LOST_COLOR = "#2e9d5b", "#c9837f"
HEADER_BOTTOM = 0.84
SUMMARY_CELLS, SUMMARY_LINES = 62, 3       # room under the title at 11 pt


@dataclass(frozen=True)
class StageFigure:
    """One row of the funnel as the data says it."""
    label: str
    count: int
    value: Decimal
    ageing_days: float | None = None
    conversion: float | None = None      # to the next row; None: nothing to convert from
    kind: str = "stage"                  # stage | won | lost


@dataclass(frozen=True)
class FunnelBar:
    label: str
    count: int
    text: str                 # on the bar: count and value
    side: str                 # beside it: ageing
    between: str              # under it: conversion to the next
    color: str


@dataclass(frozen=True)
class FunnelPlan:
    title: str
    summary: tuple[str, ...]      # the one-line summary, wrapped to the picture's width
    bars: tuple[FunnelBar, ...]
    empty_text: str
    font: CjkFace | None

    def labels(self) -> list[str]:
        texts = [self.title, *self.summary]
        for bar in self.bars:
            texts += [bar.label, bar.text, bar.side, bar.between]
        if not any(bar.count for bar in self.bars):
            texts.append(self.empty_text)
        return [x for x in texts if x]


def money(value: Decimal, say: Labeller) -> str:
    """¥380万 with a Chinese font; RMB 3,800k without (labels are ASCII then)."""
    wan = Decimal(value) / Decimal(10_000)
    digits = f"{wan:,.2f}".rstrip("0").rstrip(".")
    return f"¥{digits}{say.word('money_wan')}" if say.face else f"RMB {float(wan) * 10:,.0f}k"


def plan_funnel(title: str, summary: str, rows: Sequence[StageFigure]) -> FunnelPlan:
    face = fonts.cjk_face() if fonts.cjk_font() is not None else None
    say = Labeller(face)
    bars = []
    for i, row in enumerate(rows):
        if row.count < 0:
            raise ValueError(f"count for {row.label!r} must not be negative")
        color = {"won": WON_COLOR, "lost": LOST_COLOR}.get(row.kind, STAGE_COLORS[min(i, len(STAGE_COLORS) - 1)])
        side = say.word("funnel_stay", d=f"{row.ageing_days:g}") if row.ageing_days is not None else ""
        between = say.word("funnel_conversion", p=f"{row.conversion:.0%}") if row.conversion is not None else ""
        bars.append(FunnelBar(label=say.text(row.label, MAX_LABEL_CELLS), count=row.count,
                              text=say.word("funnel_count", n=row.count, value=money(row.value, say)),
                              side=side, between=between, color=color))
    return FunnelPlan(title=say.text(title), summary=wrap(say.text(summary, SUMMARY_CELLS * SUMMARY_LINES)),
                      bars=tuple(bars), empty_text=say.word("funnel_empty"), font=face)


def wrap(text: str, width: int = SUMMARY_CELLS) -> tuple[str, ...]:
    """Lines of at most ``width`` cells (a Han character is two)."""
    lines, line = [], ""
    for ch in text:
        if cells(line + ch) > width:
            lines.append(line.rstrip())
            line = ch.lstrip()
        else:
            line += ch
    return tuple(x for x in [*lines, line.rstrip()] if x)


def funnel_chart(title: str, summary: str, rows: Sequence[StageFigure]) -> bytes:
    """The funnel as PNG bytes (900×1200 px, like the weekly picture)."""
    plan = plan_funnel(title, summary, rows)
    with RENDER_LOCK:
        return render_funnel(plan)


def render_funnel(plan: FunnelPlan) -> bytes:
    fig = Figure(figsize=FIGURE_INCHES, dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    font = Fonts(plan.font)
    fig.text(0.04, 0.975, plan.title, ha="left", va="top", fontproperties=font(17, bold=True))
    for i, line in enumerate(plan.summary):
        fig.text(0.04, 0.93 - i * 0.03, line, ha="left", va="top", color=MUTED_TEXT, fontproperties=font(11))
    ax = fig.add_axes((0.2, 0.04, 0.62, HEADER_BOTTOM - 0.06))
    widest = max((bar.count for bar in plan.bars), default=0) or 1
    for i, bar in enumerate(plan.bars):
        width = max(bar.count, widest * 0.04)          # an empty stage still shows where it is
        ax.barh(i, width, left=(widest - width) / 2, height=0.62, color=bar.color)
        ax.text(widest / 2, i, bar.text, ha="center", va="center", fontproperties=font(11))
        if bar.side:
            ax.text(widest * 1.02, i, bar.side, ha="left", va="center", color=MUTED_TEXT, fontproperties=font(9))
        if bar.between:
            ax.text(widest / 2, i + 0.5, bar.between, ha="center", va="center", color=MUTED_TEXT,
                    fontproperties=font(9))
    if not any(bar.count for bar in plan.bars):
        ax.text(widest / 2, len(plan.bars) / 2, plan.empty_text, ha="center", va="center", color=MUTED_TEXT,
                fontproperties=font(14))
    ax.set_yticks(range(len(plan.bars)), [bar.label for bar in plan.bars], fontproperties=font(12))
    ax.set_ylim(len(plan.bars) - 0.4, -0.6)
    ax.set_xlim(0, widest)
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0, pad=6)
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
