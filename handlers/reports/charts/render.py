"""Drawing a plan: matplotlib's object API on the Agg canvas, never pyplot."""
from __future__ import annotations

import io
import threading

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch

from handlers.reports.charts import fonts
from handlers.reports.charts.fonts import LATIN_FONT, CjkFace
from handlers.reports.charts.plan import FLAG_COLOR, VISIT_COLOR, Bar, ChartPlan, plan_chart

FIGURE_INCHES = (6.0, 8.0)
DPI = 150                      # 6×8 in at 150 dpi = 900×1200 px
HEADER_BOTTOM = 0.905          # figure fraction below the title and period lines
MUTED_TEXT = "#666666"


# matplotlib documents itself as not thread-safe (shared font and text caches,
# a global font manager). A weekly chart takes a fraction of a second and is
# rare, so worker threads take turns rather than risk a corrupt picture.
RENDER_LOCK = threading.Lock()


def weekly_chart(title: str, period: str, registrations_by_status: dict[str, int],
                 visits_by_rep: dict[str, int], flags_by_rep: dict[str, int] | None = None,
                 funnel: dict[str, int] | None = None) -> bytes:
    """The weekly picture as PNG bytes (900×1200 px); with the area's funnel as a third panel."""
    plan = plan_chart(title, period, registrations_by_status, visits_by_rep, flags_by_rep, funnel)
    with RENDER_LOCK:
        return render(plan)


def render(plan: ChartPlan) -> bytes:
    fig = Figure(figsize=FIGURE_INCHES, dpi=DPI, facecolor="white", layout="constrained")
    FigureCanvasAgg(fig)
    # Leave the top strip for the title lines, which are placed by hand.
    fig.get_layout_engine().set(rect=(0, 0, 1, HEADER_BOTTOM), h_pad=0.12, w_pad=0.1)
    font = Fonts(plan.font)
    _draw_header(fig, plan, font)
    panels = [(plan.status_title, plan.status_bars), (plan.visits_title, plan.visit_bars)]
    if plan.funnel_bars:
        panels.append((plan.funnel_title, plan.funnel_bars))
    axes = fig.subplots(len(panels), 1, height_ratios=[_panel_weight(bars) for _, bars in panels])
    for ax, (title, bars) in zip(axes, panels):
        _draw_panel(ax, plan, title, bars, font)
    visits_ax = axes[1]
    if plan.legend and plan.visit_bars:
        _draw_legend(visits_ax, plan.legend, font)
    out = io.BytesIO()
    # No "Software" entry: the same input then gives the same bytes
    # (PNG carries no creation date unless asked to).
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


class Fonts:
    """Font properties at a size; Chinese face first, Latin font for what it lacks."""

    def __init__(self, face: CjkFace | None):
        # By family name, not file: a .ttc holds several faces (JP, SC, TC…)
        # and only the family picks the simplified-Chinese one.
        self.families = [face.family, LATIN_FONT] if face else [LATIN_FONT]
        # One weight serves every family of the list, so "bold" is what the
        # Chinese face really has (regular only: titles are set larger instead).
        self.bold = fonts.bold_weight(face.family) if face else "bold"

    def __call__(self, size: float, bold: bool = False) -> FontProperties:
        return FontProperties(family=self.families, size=size, weight=self.bold if bold else "normal")


def _panel_weight(bars: tuple[Bar, ...]) -> float:
    # Height proportional to the number of bars keeps every bar equally thick;
    # the constant is room for the panel title.
    return max(len(bars), 2) + 1.6


def _draw_header(fig: Figure, plan: ChartPlan, font: Fonts) -> None:
    fig.text(0.04, 0.978, plan.title, ha="left", va="top", fontproperties=font(17, bold=True))
    fig.text(0.04, 0.937, plan.period, ha="left", va="top", color=MUTED_TEXT, fontproperties=font(12))


def _draw_panel(ax: Axes, plan: ChartPlan, title: str, bars: tuple[Bar, ...], font: Fonts) -> None:
    ax.set_title(title, loc="left", pad=10, fontproperties=font(14, bold=True))
    if not bars:
        _draw_empty(ax, plan.empty_text, font)
        return
    positions = list(range(len(bars)))
    scale = _scale(bars)
    drawn = [min(bar.value, scale) for bar in bars]
    container = ax.barh(positions, drawn, height=0.68, color=[bar.color for bar in bars])
    for patch, bar in zip(container.patches, bars):
        if bar.is_rest:
            patch.set_hatch("///")         # an aggregate, not a person
            patch.set_edgecolor("white")
    if plan.show_flags:
        ax.barh(positions, [_flagged_length(bar, d) for bar, d in zip(bars, drawn)], height=0.68,
                color=FLAG_COLOR)
    ax.bar_label(container, labels=[plan.value_text(bar) for bar in bars], padding=4,
                 fontproperties=font(11))
    ax.set_yticks(positions, [bar.label for bar in bars], fontproperties=font(12))
    ax.set_ylim(len(bars) - 0.5, -0.5)         # first bar on top
    ax.set_xlim(0, scale * 1.28)               # room for the numbers after the longest bar
    _quiet_axes(ax)


def _scale(bars: tuple[Bar, ...]) -> int:
    # The "其他 N 人" total can dwarf every single rep; the scale follows the
    # reps, the rest bar is capped at it and its number tells the real total.
    people = [bar.value for bar in bars if not bar.is_rest] or [bar.value for bar in bars]
    return max(max(people), 1)


def _flagged_length(bar: Bar, drawn: float) -> float:
    # A capped bar is off the common scale anyway; keep its flagged share true
    # instead of painting the whole capped bar dark.
    if bar.value == 0:
        return 0
    return drawn * min(bar.flagged, bar.value) / bar.value


def _draw_empty(ax: Axes, text: str, font: Fonts) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_facecolor("#f5f5f5")
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=MUTED_TEXT,
            fontproperties=font(14))


def _quiet_axes(ax: Axes) -> None:
    # The numbers sit at the bar ends, so the x axis would only add noise.
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color("#bbbbbb")
    ax.tick_params(axis="y", length=0, pad=6)


def _draw_legend(ax: Axes, legend: tuple[str, ...], font: Fonts) -> None:
    visits, flagged = legend
    handles = [Patch(color=VISIT_COLOR, label=visits), Patch(color=FLAG_COLOR, label=flagged)]
    # Above the plot, level with the panel title, where it cannot cover a bar.
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False,
              prop=font(10), handlelength=1.2, handleheight=0.9, columnspacing=1.0, borderaxespad=0.15)
