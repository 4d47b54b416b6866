"""The plan: everything that will be drawn, decided before any drawing, so
tests (and people) can read what a manager will see without pixels."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from handlers.reports.charts import fonts
from handlers.reports.charts.fonts import CjkFace
from handlers.reports.charts.labels import Labeller
from handlers.reports.charts.words import STATUS_WORDS

TOP_REPS = 15                  # reps beyond these are rolled into one "其他 N 人" bar

# -- colours -----------------------------------------------------------------
STATUS_COLORS = {"已生效": "#2e9d5b", "待审批": "#f0a431", "未通过": "#d9534f",
                 "已过期": "#9e9e9e", "已撤销": "#c7c7c7", "已收回": "#b07d48", "赢单": "#1f6f43",
                 "输单": "#7f3b3b", "已移交": "#8e7cc3"}
OTHER_STATUS_COLOR = "#5b8def"
VISIT_COLOR = "#8db9e3"
REST_COLOR = "#c9d3dd"
FLAG_COLOR = "#b03a2e"         # darker than the visit bar it sits on, and reads as "look here"
FUNNEL_COLORS = ("#9cc3e6", "#74a9d8", "#4f8fca", "#2f74b5", "#2e9d5b", "#c9837f")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    color: str
    flagged: int = 0
    is_rest: bool = False      # the "其他 N 人" roll-up of the reps beyond the top ones


@dataclass(frozen=True)
class ChartPlan:
    title: str
    period: str
    status_title: str
    status_bars: tuple[Bar, ...]
    visits_title: str
    visit_bars: tuple[Bar, ...]
    show_flags: bool
    legend: tuple[str, ...]    # (visits, flagged) when flags were given, else empty
    empty_text: str
    font: CjkFace | None       # None: labels are ASCII and drawn in the Latin font
    # The area's funnel: deals at each stage now, then won and lost (empty: no panel).
    funnel_title: str = ""
    funnel_bars: tuple[Bar, ...] = ()

    def value_text(self, bar: Bar) -> str:
        return f"{bar.value} ({bar.flagged})" if self.show_flags and bar.flagged else str(bar.value)

    def labels(self) -> list[str]:
        """Every piece of text the picture will show."""
        texts = [self.title, self.period, self.status_title, self.visits_title, *self.legend]
        for bars in (self.status_bars, self.visit_bars):
            texts += [bar.label for bar in bars] + [self.value_text(bar) for bar in bars]
            if not bars:
                texts.append(self.empty_text)
        if self.funnel_bars:
            texts += [self.funnel_title, *(bar.label for bar in self.funnel_bars),
                      *(self.value_text(bar) for bar in self.funnel_bars)]
        return texts


def plan_chart(title: str, period: str, registrations_by_status: Mapping[str, int],
               visits_by_rep: Mapping[str, int], flags_by_rep: Mapping[str, int] | None = None,
               funnel: Mapping[str, int] | None = None) -> ChartPlan:
    """``funnel``: deals by stage in reading order (open stages, won, lost)."""
    face = fonts.cjk_face() if fonts.cjk_font() is not None else None
    say = Labeller(face)
    show_flags = flags_by_rep is not None
    counts = {stage: _count(n, stage) for stage, n in (funnel or {}).items()}
    funnel_bars = tuple(Bar(label=say.status(stage), value=n, color=FUNNEL_COLORS[min(i, len(FUNNEL_COLORS) - 1)])
                        for i, (stage, n) in enumerate(counts.items())) if any(counts.values()) else ()
    return ChartPlan(funnel_title=say.word("funnel_title"), funnel_bars=funnel_bars,
        title=say.text(title), period=say.text(period),
        status_title=say.word("status_title"), status_bars=tuple(status_bars(registrations_by_status, say)),
        visits_title=say.word("visits_title"),
        visit_bars=tuple(visit_bars(visits_by_rep, flags_by_rep or {}, say)),
        show_flags=show_flags,
        legend=(say.word("legend_visits"), say.word("legend_flagged")) if show_flags else (),
        empty_text=say.word("empty"), font=face)


def status_bars(registrations_by_status: Mapping[str, int], say: Labeller) -> list[Bar]:
    """Known statuses in their reading order, then any others by count. None if nothing happened."""
    counts = {status: _count(n, status) for status, n in registrations_by_status.items()}
    if not any(counts.values()):
        return []
    known = [s for s in STATUS_WORDS if s in counts]
    others = sorted((s for s in counts if s not in STATUS_WORDS), key=lambda s: (-counts[s], s))
    return [Bar(label=say.status(s), value=counts[s], color=STATUS_COLORS.get(s, OTHER_STATUS_COLOR))
            for s in known + others]


def visit_bars(visits_by_rep: Mapping[str, int], flags_by_rep: Mapping[str, int], say: Labeller,
               top: int = TOP_REPS) -> list[Bar]:
    """Reps by visits, most first; beyond *top* reps one "其他 N 人" bar sums up the rest."""
    visits = {rep: _count(n, rep) for rep, n in visits_by_rep.items()}
    flags = {rep: _count(n, rep) for rep, n in flags_by_rep.items()}
    # A flagged visit is a visit: a rep who only appears in the flags still visited.
    totals = {rep: max(visits.get(rep, 0), flags.get(rep, 0)) for rep in visits.keys() | flags.keys()}
    if not any(totals.values()):
        return []
    ranked = sorted(totals, key=lambda rep: (-totals[rep], rep))
    # A rest bar for a single rep would take that rep's place: show the rep instead.
    shown, rest = (ranked, []) if len(ranked) <= top + 1 else (ranked[:top], ranked[top:])
    bars = [Bar(label=say.name(rep), value=totals[rep], color=VISIT_COLOR, flagged=flags.get(rep, 0))
            for rep in shown]
    if rest:
        bars.append(Bar(label=say.word("rest", n=len(rest)), value=sum(totals[r] for r in rest),
                        color=REST_COLOR, flagged=sum(flags.get(r, 0) for r in rest), is_rest=True))
    return bars


def _count(n: int, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"count for {what!r} must be a non-negative int, got {n!r}")
    return n
