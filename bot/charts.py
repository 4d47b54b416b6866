"""The weekly picture managers get in WeCom: registrations by status, visits per rep.

Managers would rather look than read, so the weekly digest carries one PNG
(sent as an image message) next to its text. WeCom shows images roughly
300–400 px wide in the chat and full screen when tapped, so the picture is
tall (900×1200 px): the registration panel on top, the visits panel below.

``plan_chart`` decides everything that will be drawn (bars, labels, legend) and
``weekly_chart`` only draws that plan, so tests can check what a manager will
read without looking at pixels.

Chinese text needs a CJK font, which a server may not have. ``cjk_font`` finds
one by what it can draw (its character map), not by its name. Without one,
every label is written in pinyin / English instead, because a picture of empty
boxes (tofu) is worse than a picture in pinyin.

Rendering uses matplotlib's object API with the Agg canvas and never pyplot:
the bot renders in worker threads and pyplot keeps global state.
"""
from __future__ import annotations

import functools
import io
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontEntry, FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.patches import Patch
from pypinyin import lazy_pinyin

# -- sizes -------------------------------------------------------------------
FIGURE_INCHES = (6.0, 8.0)
DPI = 150                      # 6×8 in at 150 dpi = 900×1200 px
TOP_REPS = 15                  # reps beyond these are rolled into one "其他 N 人" bar
MAX_LABEL_CELLS = 14           # a Han character counts 2 cells, a Latin letter 1
MAX_TITLE_CELLS = 34
HEADER_BOTTOM = 0.905          # figure fraction below the title and period lines

# -- colours -----------------------------------------------------------------
STATUS_COLORS = {"已生效": "#2e9d5b", "待审批": "#f0a431", "未通过": "#d9534f",
                 "已过期": "#9e9e9e", "已撤销": "#c7c7c7"}
OTHER_STATUS_COLOR = "#5b8def"
VISIT_COLOR = "#8db9e3"
REST_COLOR = "#c9d3dd"
FLAG_COLOR = "#b03a2e"         # darker than the visit bar it sits on, and reads as "look here"
MUTED_TEXT = "#666666"

# Reading order of the known statuses; the English words mirror
# handlers.texts.STATUS (a test keeps the two in step).
STATUS_WORDS: dict[str, str] = {"已生效": "approved", "待审批": "pending", "未通过": "rejected",
                                "已过期": "expired", "已撤销": "withdrawn"}

# Fixed words of the picture: (Chinese, English).
WORDS: dict[str, tuple[str, str]] = {
    "status_title": ("报备状态", "Registrations"),
    "visits_title": ("拜访次数", "Visits"),
    "empty": ("本周无数据", "No data this week"),
    "rest": ("其他 {n} 人", "{n} others"),
    "legend_visits": ("拜访", "visits"),
    "legend_flagged": ("其中异常（括号内）", "flagged (in brackets)"),
}

# A font must draw every fixed Chinese character of the picture to be used at all.
REQUIRED_GLYPHS = frozenset(
    ch for text in [*STATUS_WORDS, *(zh for zh, _ in WORDS.values())]
    for ch in text if not ch.isascii())

# Families known to carry simplified Chinese, best first. Tried before any
# other installed font, but still only used if their character map agrees.
PREFERRED_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei",
    "PingFang SC", "Hiragino Sans GB", "Noto Serif CJK SC", "AR PL UMing CN", "AR PL UKai CN",
)
LATIN_FONT = "DejaVu Sans"     # ships with matplotlib, so it is always there


# ============================================================================
# Finding a CJK font
# ============================================================================

@dataclass(frozen=True)
class CjkFace:
    """One face of an installed font that draws Chinese."""
    path: str
    index: int                 # face inside a .ttc collection
    family: str                # what matplotlib knows it by (selects the right .ttc face)
    codepoints: frozenset[int]


_FONT_LOCK = threading.Lock()


def cjk_font() -> str | None:
    """Path of the font file used for Chinese text, or None when there is none."""
    face = _cjk_face()
    return face.path if face else None


@functools.cache
def _cjk_face() -> CjkFace | None:
    with _FONT_LOCK:
        face = pick_cjk_face(font_manager.fontManager.ttflist)
        if face is None:
            _register_unseen_system_fonts()
            face = pick_cjk_face(font_manager.fontManager.ttflist)
        return face


def pick_cjk_face(entries: Iterable[FontEntry]) -> CjkFace | None:
    """The best face among *entries* whose character map has every required glyph."""
    for entry in _candidates(entries):
        if _has_glyphs(entry, REQUIRED_GLYPHS):
            return CjkFace(path=entry.fname, index=entry.index, family=entry.name,
                           codepoints=_codepoints(entry))
    return None


def _candidates(entries: Iterable[FontEntry]) -> list[FontEntry]:
    """Preferred families first (regular weight first), then every other font once."""
    unique = list({(e.fname, e.index, e.name): e for e in entries}.values())
    preferred = [e for e in unique if e.name in PREFERRED_FAMILIES]
    preferred.sort(key=lambda e: (PREFERRED_FAMILIES.index(e.name), abs(_weight(e) - 400)))
    others = [e for e in unique if e.name not in PREFERRED_FAMILIES]
    return preferred + others


def _weight(entry: FontEntry) -> int:
    weight = entry.weight
    return weight if isinstance(weight, int) else font_manager.weight_dict.get(weight, 400)


def _has_glyphs(entry: FontEntry, chars: Iterable[str]) -> bool:
    """True if the face draws each of *chars* with a glyph of its own."""
    try:
        font = FT2Font(entry.fname, face_index=entry.index)
    except (OSError, RuntimeError, ValueError):     # unreadable or not a TrueType/OpenType file
        return False
    # get_char_index is 0 for "no glyph"; cheaper than building the whole map.
    glyphs = [font.get_char_index(ord(ch)) for ch in chars]
    # Distinct characters need distinct glyphs: a "last resort" font (matplotlib
    # ships one) maps every Han character to one placeholder box, i.e. tofu.
    return all(glyphs) and len(set(glyphs)) == len(glyphs)


def _codepoints(entry: FontEntry) -> frozenset[int]:
    return frozenset(FT2Font(entry.fname, face_index=entry.index).get_charmap())


def _register_unseen_system_fonts() -> None:
    # matplotlib caches its font list on first use, so a font installed later
    # (apt-get install fonts-noto-cjk) stays invisible until that cache is
    # rebuilt. Tell it about system font files it has not seen.
    known = {e.fname for e in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path in known:
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue


# ============================================================================
# Labels: Chinese when the font can draw them, pinyin / English otherwise
# ============================================================================

HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
NAME_SEPARATORS = re.compile(r"[·•・.]")
# Punctuation and words that pinyin would spell badly ("至" → "zhi").
LATIN_REPLACEMENTS = {"至": " to ", "·": " - ", "•": " - ", "・": " - ", "—": "-", "–": "-",
                      "…": "...", "、": ", ", "。": ". ", "「": '"', "」": '"', "“": '"', "”": '"'}
COMPOUND_SURNAMES = frozenset({"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "公孙",
                               "夏侯", "尉迟", "长孙", "宇文", "司徒", "端木", "西门", "独孤", "南宫"})
# Surnames read differently from the everyday word ("曾" is zeng, not ceng).
SURNAME_READINGS = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha",
                    "朴": "piao", "乐": "yue", "缪": "miao", "翟": "zhai", "盖": "ge", "覃": "qin",
                    "尉迟": "yuchi", "长孙": "zhangsun"}


def latin_text(text: str) -> str:
    """Free text (title, period, unknown status) in ASCII: Han characters as pinyin syllables."""
    text = unicodedata.normalize("NFKC", text)       # full-width digits and brackets → ASCII
    for zh, latin in LATIN_REPLACEMENTS.items():
        text = text.replace(zh, latin)
    text = HAN_RUN.sub(lambda m: " " + " ".join(_syllables(m.group())) + " ", text)
    return _ascii_only(text)


def latin_name(name: str) -> str:
    """A person's name in pinyin, the way it is written in English: "王小明" → "Wang Xiaoming"."""
    name = name.strip()
    parts = [p for p in NAME_SEPARATORS.split(name) if p]
    if len(parts) > 1 and all(HAN_RUN.fullmatch(p) for p in parts):    # 迪丽热巴·迪力木拉提
        return _ascii_only(" ".join(_word(p) for p in parts))
    if HAN_RUN.fullmatch(name) and 2 <= len(name) <= 4:
        surname = name[:2] if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else name[0]
        reading = SURNAME_READINGS.get(surname) or "".join(lazy_pinyin(surname))
        return _ascii_only(f"{reading.capitalize()} {_word(name[len(surname):])}")
    return latin_text(name)


def latin_status(word: str) -> str:
    return STATUS_WORDS.get(word) or latin_text(word)


def _syllables(han: str) -> list[str]:
    # The whole run at once, so pypinyin can use its phrase list for heteronyms.
    return [s.capitalize() for s in lazy_pinyin(han)]


def _word(han: str) -> str:
    return "".join(lazy_pinyin(han)).capitalize()


def _ascii_only(text: str) -> str:
    # Whatever pinyin could not spell (emoji, rare characters) would be tofu: drop it.
    text = " ".join(text.encode("ascii", "ignore").decode("ascii").split())
    return re.sub(r"\s+([,.)])", r"\1", text) or "?"


def cells(text: str) -> int:
    """Display width: wide (CJK) characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shorten(text: str, max_cells: int, ellipsis: str = "…") -> str:
    if cells(text) <= max_cells:
        return text
    room = max_cells - cells(ellipsis)
    kept = ""
    for ch in text:
        if cells(kept + ch) > room:
            break
        kept += ch
    return kept.rstrip() + ellipsis


class Labeller:
    """Writes every label for the font at hand: Chinese if it draws every
    character, otherwise pinyin / English. Deciding per label (not per
    picture) keeps a rare character in one name from costing the rest."""

    def __init__(self, face: CjkFace | None):
        self.face = face
        self.ellipsis = "…" if face else "..."

    def word(self, key: str, **facts: object) -> str:
        zh, en = WORDS[key]
        return (zh if self.face else en).format(**facts)

    def text(self, text: str, max_cells: int = MAX_TITLE_CELLS) -> str:
        return shorten(text if self._drawable(text) else latin_text(text), max_cells, self.ellipsis)

    def name(self, name: str) -> str:
        return shorten(name if self._drawable(name) else latin_name(name), MAX_LABEL_CELLS, self.ellipsis)

    def status(self, word: str) -> str:
        return shorten(word if self._drawable(word) else latin_status(word), MAX_LABEL_CELLS, self.ellipsis)

    def _drawable(self, text: str) -> bool:
        # ASCII is drawn by the Latin fallback font; everything else must be in the CJK face.
        return self.face is not None and all(ch.isascii() or ord(ch) in self.face.codepoints for ch in text)


# ============================================================================
# The plan: what will be drawn
# ============================================================================

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

    def value_text(self, bar: Bar) -> str:
        return f"{bar.value} ({bar.flagged})" if self.show_flags and bar.flagged else str(bar.value)

    def labels(self) -> list[str]:
        """Every piece of text the picture will show."""
        texts = [self.title, self.period, self.status_title, self.visits_title, *self.legend]
        for bars in (self.status_bars, self.visit_bars):
            texts += [bar.label for bar in bars] + [self.value_text(bar) for bar in bars]
            if not bars:
                texts.append(self.empty_text)
        return texts


def plan_chart(title: str, period: str, registrations_by_status: Mapping[str, int],
               visits_by_rep: Mapping[str, int], flags_by_rep: Mapping[str, int] | None = None) -> ChartPlan:
    face = _cjk_face() if cjk_font() is not None else None
    say = Labeller(face)
    show_flags = flags_by_rep is not None
    return ChartPlan(
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


# ============================================================================
# Drawing the plan
# ============================================================================

# matplotlib documents itself as not thread-safe (shared font and text caches,
# a global font manager). A weekly chart takes a fraction of a second and is
# rare, so worker threads take turns rather than risk a corrupt picture.
_RENDER_LOCK = threading.Lock()


def weekly_chart(title: str, period: str, registrations_by_status: dict[str, int],
                 visits_by_rep: dict[str, int], flags_by_rep: dict[str, int] | None = None) -> bytes:
    """The weekly picture as PNG bytes (900×1200 px)."""
    plan = plan_chart(title, period, registrations_by_status, visits_by_rep, flags_by_rep)
    with _RENDER_LOCK:
        return render(plan)


def render(plan: ChartPlan) -> bytes:
    fig = Figure(figsize=FIGURE_INCHES, dpi=DPI, facecolor="white", layout="constrained")
    FigureCanvasAgg(fig)
    # Leave the top strip for the title lines, which are placed by hand.
    fig.get_layout_engine().set(rect=(0, 0, 1, HEADER_BOTTOM), h_pad=0.12, w_pad=0.1)
    font = _Fonts(plan.font)
    _draw_header(fig, plan, font)
    status_ax, visits_ax = fig.subplots(
        2, 1, height_ratios=[_panel_weight(plan.status_bars), _panel_weight(plan.visit_bars)])
    _draw_panel(status_ax, plan, plan.status_title, plan.status_bars, font)
    _draw_panel(visits_ax, plan, plan.visits_title, plan.visit_bars, font)
    if plan.legend and plan.visit_bars:
        _draw_legend(visits_ax, plan.legend, font)
    out = io.BytesIO()
    # No "Software" entry: the same input then gives the same bytes
    # (PNG carries no creation date unless asked to).
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


class _Fonts:
    """Font properties at a size; Chinese face first, Latin font for what it lacks."""

    def __init__(self, face: CjkFace | None):
        # By family name, not file: a .ttc holds several faces (JP, SC, TC…)
        # and only the family picks the simplified-Chinese one.
        self.families = [face.family, LATIN_FONT] if face else [LATIN_FONT]

    def __call__(self, size: float, bold: bool = False) -> FontProperties:
        return FontProperties(family=self.families, size=size, weight="bold" if bold else "normal")


def _panel_weight(bars: tuple[Bar, ...]) -> float:
    # Height proportional to the number of bars keeps every bar equally thick;
    # the constant is room for the panel title.
    return max(len(bars), 2) + 1.6


def _draw_header(fig: Figure, plan: ChartPlan, font: _Fonts) -> None:
    fig.text(0.04, 0.978, plan.title, ha="left", va="top", fontproperties=font(17, bold=True))
    fig.text(0.04, 0.937, plan.period, ha="left", va="top", color=MUTED_TEXT, fontproperties=font(12))


def _draw_panel(ax: Axes, plan: ChartPlan, title: str, bars: tuple[Bar, ...], font: _Fonts) -> None:
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


def _draw_empty(ax: Axes, text: str, font: _Fonts) -> None:
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


def _draw_legend(ax: Axes, legend: tuple[str, ...], font: _Fonts) -> None:
    visits, flagged = legend
    handles = [Patch(color=VISIT_COLOR, label=visits), Patch(color=FLAG_COLOR, label=flagged)]
    # Above the plot, level with the panel title, where it cannot cover a bar.
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False,
              prop=font(10), handlelength=1.2, handleheight=0.9, columnspacing=1.0, borderaxespad=0.15)
