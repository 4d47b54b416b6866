"""The weekly picture (bot/charts/): what it shows, checked on the plan, not on pixels."""
from __future__ import annotations

import struct
import threading
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from matplotlib import font_manager

from handlers.reports import charts
from handlers.reports.charts import (
    REQUIRED_GLYPHS,
    STATUS_WORDS,
    TOP_REPS,
    cells,
    latin_name,
    latin_text,
    pick_cjk_face,
    plan_chart,
    weekly_chart,
)
from handlers.reports.charts.funnel import StageFigure, funnel_chart, plan_funnel

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REGISTRATIONS = {"已生效": 42, "待审批": 9, "未通过": 5, "已过期": 3, "已撤销": 2}
VISITS = {"李明": 12, "王小明": 9, "欧阳娜娜": 7, "曾小贤": 3}
FLAGS = {"李明": 2, "曾小贤": 1}
TITLE, PERIOD = "北方区渠道周报", "北方区 · 2026-11-23 至 11-29"
# What the test font must draw beyond the fixed words (ASCII comes from the Latin font).
TEST_HAN = "".join(ch for ch in "".join(VISITS) + TITLE + PERIOD if not ch.isascii())


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"       # always the first chunk
    return struct.unpack(">II", data[16:24])


def forty_reps() -> dict[str, int]:
    return {f"销售{i:02d}": 40 - i for i in range(40)}


# -- fonts made on the spot, since the machine may have no CJK font --------------

def build_font(path: Path, family: str, chars: str, *, one_glyph_for_all: bool = False, weight: int = 400) -> Path:
    """A TrueType font with a square glyph for each of *chars*."""
    chars = "".join(sorted(set(chars)))
    names = ["box"] if one_glyph_for_all else [f"uni{ord(ch):04X}" for ch in chars]
    order = [".notdef", *names]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({ord(ch): "box" if one_glyph_for_all else f"uni{ord(ch):04X}" for ch in chars})
    fb.setupGlyf({name: _square() for name in order})
    fb.setupHorizontalMetrics({name: (1000, 100) for name in order})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": family, "styleName": "Bold" if weight >= 700 else "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120, usWeightClass=weight)
    fb.setupPost()
    fb.save(str(path))
    return path


def _square():
    pen = TTGlyphPen(None)
    pen.moveTo((100, 0))
    pen.lineTo((100, 700))
    pen.lineTo((900, 700))
    pen.lineTo((900, 0))
    pen.closePath()
    return pen.glyph()


def entry(path: Path, family: str) -> font_manager.FontEntry:
    return font_manager.FontEntry(fname=str(path), name=family)


@pytest.fixture
def han_font(tmp_path, monkeypatch) -> charts.CjkFace:
    """A registered font that draws every character the tests use, picked as the CJK font."""
    path = build_font(tmp_path / "qudao-test-han.ttf", "Qudao Test Han", "".join(REQUIRED_GLYPHS) + TEST_HAN)
    # Register on a copy of the font list, so the font is gone after the test.
    monkeypatch.setattr(font_manager.fontManager, "ttflist", list(font_manager.fontManager.ttflist))
    font_manager.fontManager.addfont(str(path))
    face = pick_cjk_face([entry(path, "Qudao Test Han")])
    monkeypatch.setattr(charts.fonts, "cjk_face", lambda: face)
    return face


@pytest.fixture
def no_cjk_font(monkeypatch) -> None:
    monkeypatch.setattr(charts.fonts, "cjk_font", lambda: None)


# -- the picture ----------------------------------------------------------------

def test_typical_week_is_a_small_tall_png() -> None:
    png = weekly_chart(TITLE, PERIOD, REGISTRATIONS, VISITS, FLAGS)
    assert png_size(png) == (900, 1200)
    assert len(png) < 300_000


def test_same_input_gives_the_same_bytes() -> None:
    assert weekly_chart(TITLE, PERIOD, REGISTRATIONS, VISITS) == weekly_chart(TITLE, PERIOD, REGISTRATIONS, VISITS)


def test_empty_week_renders_a_no_data_panel() -> None:
    png = weekly_chart(TITLE, PERIOD, {}, {}, {})
    assert png_size(png) == (900, 1200)
    plan = plan_chart(TITLE, PERIOD, {}, {}, {})
    assert plan.status_bars == () and plan.visit_bars == ()
    assert plan.labels().count(plan.empty_text) == 2


def test_all_zero_counts_count_as_no_data() -> None:
    plan = plan_chart(TITLE, PERIOD, {"已生效": 0}, {"李明": 0})
    assert plan.status_bars == () and plan.visit_bars == ()


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        plan_chart(TITLE, PERIOD, {"已生效": -1}, {})


def test_statuses_in_reading_order_then_unknown_by_count() -> None:
    plan = plan_chart(TITLE, PERIOD, {"已撤销": 1, "草稿": 2, "已生效": 5, "作废": 7}, {})
    assert [bar.value for bar in plan.status_bars] == [5, 1, 7, 2]


def test_forty_reps_show_the_top_ones_and_one_rest_bar() -> None:
    reps = forty_reps()
    flags = {"销售00": 3, "销售39": 1, "销售20": 2}
    plan = plan_chart(TITLE, PERIOD, REGISTRATIONS, reps, flags)
    bars = plan.visit_bars
    assert len(bars) == TOP_REPS + 1
    assert [bar.value for bar in bars[:TOP_REPS]] == list(range(40, 40 - TOP_REPS, -1))
    rest = bars[-1]
    assert rest.is_rest and not any(bar.is_rest for bar in bars[:-1])
    assert rest.value == sum(sorted(reps.values())[:40 - TOP_REPS])
    assert rest.flagged == 3
    assert "25" in rest.label
    assert png_size(weekly_chart(TITLE, PERIOD, REGISTRATIONS, reps, flags)) == (900, 1200)


def test_one_rep_past_the_top_is_shown_not_rolled_up() -> None:
    reps = {f"销售{i:02d}": 20 - i for i in range(TOP_REPS + 1)}
    assert not any(bar.is_rest for bar in plan_chart(TITLE, PERIOD, {}, reps).visit_bars)


def test_flags_show_in_the_value_and_legend_only_when_given() -> None:
    with_flags = plan_chart(TITLE, PERIOD, {}, VISITS, FLAGS)
    assert with_flags.value_text(with_flags.visit_bars[0]) == "12 (2)"
    assert len(with_flags.legend) == 2
    without = plan_chart(TITLE, PERIOD, {}, VISITS)
    assert without.value_text(without.visit_bars[0]) == "12" and without.legend == ()


def test_a_rep_known_only_from_flags_still_counts() -> None:
    plan = plan_chart(TITLE, PERIOD, {}, {}, {"李明": 2})
    assert [(bar.value, bar.flagged) for bar in plan.visit_bars] == [(2, 2)]


def test_long_names_are_shortened(han_font) -> None:
    long_name = "欧阳娜娜" * 4
    plan = plan_chart(TITLE, PERIOD, {}, {long_name: 3})
    label = plan.visit_bars[0].label
    assert label.endswith("…") and charts.cells(label) <= charts.MAX_LABEL_CELLS


# -- Chinese font, or pinyin instead ----------------------------------------------

def test_without_a_cjk_font_every_label_is_ascii(no_cjk_font) -> None:
    reps = {**VISITS, **forty_reps(), "迪丽热巴·迪力木拉提": 50, "😀小王": 45}
    labels = plan_chart(TITLE, PERIOD, {**REGISTRATIONS, "草稿": 1}, reps, FLAGS).labels()
    assert all(label.isascii() and label.strip() for label in labels), labels
    others = f"{len(reps) - TOP_REPS} others"
    for expected in ("approved", "pending", "rejected", "expired", "withdrawn", "Visits", others,
                     "Bei Fang Qu - 2026-11-23 to 11-29"):
        assert expected in labels
    assert png_size(weekly_chart(TITLE, PERIOD, REGISTRATIONS, reps, FLAGS)) == (900, 1200)


def test_empty_week_without_a_cjk_font_is_ascii(no_cjk_font) -> None:
    assert all(label.isascii() for label in plan_chart(TITLE, PERIOD, {}, {}).labels())


def test_names_in_pinyin_are_written_like_names() -> None:
    assert latin_name("李明") == "Li Ming"
    assert latin_name("王小明") == "Wang Xiaoming"
    assert latin_name("欧阳娜娜") == "Ouyang Nana"
    assert latin_name("曾小贤") == "Zeng Xiaoxian"
    assert latin_name("迪丽热巴·迪力木拉提") == "Dilireba Dilimulati"
    assert latin_name("Tom") == "Tom"
    assert latin_text("（2026-11-23 至 11-29）") == "(2026-11-23 to 11-29)"


def test_status_words_agree_with_the_bot_texts() -> None:
    from handlers.registration.texts import STATUS
    assert {zh: en for zh, en in STATUS.values()} == STATUS_WORDS


def test_with_a_cjk_font_labels_stay_chinese_and_render_without_missing_glyphs(han_font) -> None:
    reps = {**VISITS, **{f"王小明{i}": 1 for i in range(30)}}
    plan = plan_chart(TITLE, PERIOD, REGISTRATIONS, reps, FLAGS)
    labels = plan.labels()
    for expected in (TITLE, PERIOD, "报备状态", "拜访次数", "已生效", "李明"):
        assert expected in labels
    assert any(label.startswith("其他") and label.endswith("人") for label in labels)
    assert charts.cjk_font() == han_font.path
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = weekly_chart(TITLE, PERIOD, REGISTRATIONS, reps, FLAGS)
    assert png_size(png) == (900, 1200)
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_an_empty_panel_names_no_week_of_its_own(han_font) -> None:
    # The picture is of last week (its header says which): "本周" would be wrong.
    plan = plan_chart(TITLE, PERIOD, {}, VISITS)
    assert plan.empty_text == "该周无数据" and plan.labels().count("该周无数据") == 1
    assert "其中存疑（括号内）" in plan_chart(TITLE, PERIOD, {}, VISITS, FLAGS).legend


def test_titles_ask_only_for_a_weight_the_chinese_font_has(han_font, tmp_path, caplog) -> None:
    caplog.set_level("WARNING", logger="matplotlib.font_manager")
    weekly_chart(TITLE, PERIOD, REGISTRATIONS, VISITS, FLAGS)          # the test font has a regular face only
    assert not [r for r in caplog.records if "Failed to find font weight" in r.getMessage()]
    bold = build_font(tmp_path / "bold.ttf", "Qudao Test Han", "报", weight=700)
    font_manager.fontManager.addfont(str(bold))                         # now it has a bold face too
    assert charts.fonts.bold_weight("Qudao Test Han") == 700
    assert charts.fonts.bold_weight("No Such Family") == 400


def test_a_character_the_font_lacks_turns_only_that_label_into_pinyin(han_font) -> None:
    plan = plan_chart(TITLE, PERIOD, {}, {"李明": 3, "龘龘": 2})     # 龘 is not in the test font
    assert [bar.label for bar in plan.visit_bars] == ["李明", "Da Da"]


def test_a_font_is_chosen_by_its_glyphs_not_its_name(tmp_path) -> None:
    wanted = "".join(REQUIRED_GLYPHS)
    liar = build_font(tmp_path / "liar.ttf", "SimHei", "备状态")                 # no 报
    boxes = build_font(tmp_path / "boxes.ttf", "Noto Sans CJK SC", wanted, one_glyph_for_all=True)
    real = build_font(tmp_path / "real.ttf", "Some Han Font", wanted)
    entries = [entry(liar, "SimHei"), entry(boxes, "Noto Sans CJK SC"), entry(real, "Some Han Font")]
    face = pick_cjk_face(entries)
    assert face is not None and face.path == str(real)
    assert pick_cjk_face(entries[:2]) is None


def test_this_machines_cjk_font_if_any_draws_chinese() -> None:
    path = charts.cjk_font()
    assert path is None or ord("报") in charts.fonts.cjk_face().codepoints
    assert charts.cjk_font() == path          # cached: asked once


# -- worker threads ----------------------------------------------------------------

def test_two_threads_render_at_once() -> None:
    inputs = [(TITLE, PERIOD, REGISTRATIONS, VISITS, FLAGS), ("华东区", "第48周", {}, forty_reps(), None)]
    expected = [weekly_chart(*args) for args in inputs]
    results: list[bytes | None] = [None, None]
    errors: list[BaseException] = []
    start = threading.Barrier(len(inputs))

    def render(i: int) -> None:
        try:
            start.wait()
            results[i] = weekly_chart(*inputs[i])
        except BaseException as exc:        # surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=render, args=(i,)) for i in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert results == expected


# -- the funnel: its own picture, and a panel of the weekly one ------------------------

FUNNEL_ROWS = [
    StageFigure("初步接触", 6, Decimal("2400000"), 9.5, 0.75),
    StageFigure("需求确认", 4, Decimal("1800000"), 12.0, 0.5),
    StageFigure("方案报价", 2, Decimal("900000"), 20.0, 0.5),
    StageFigure("商务谈判", 1, Decimal("500000"), 3.0, 1.0),
    StageFigure("赢单", 3, Decimal("1666000"), kind="won"),
    StageFigure("输单", 2, Decimal("0"), kind="lost"),
]
FUNNEL_SUMMARY = "在跟 13 个 ¥560万，赢单 3 个，输单 2 个，赢率 60%"
FUNNEL_TITLE = "商机漏斗 · 北方区"


@pytest.fixture
def funnel_font(tmp_path, monkeypatch) -> charts.CjkFace:
    """A CJK font that draws the funnel's stage names and summary too."""
    chars = "".join(REQUIRED_GLYPHS) + "".join(r.label for r in FUNNEL_ROWS) + FUNNEL_SUMMARY + FUNNEL_TITLE
    path = build_font(tmp_path / "qudao-test-funnel.ttf", "Qudao Test Funnel", "".join(
        ch for ch in chars if not ch.isascii()))
    monkeypatch.setattr(font_manager.fontManager, "ttflist", list(font_manager.fontManager.ttflist))
    font_manager.fontManager.addfont(str(path))
    face = pick_cjk_face([entry(path, "Qudao Test Funnel")])
    monkeypatch.setattr(charts.fonts, "cjk_face", lambda: face)
    return face


def test_the_funnel_is_a_tall_png_with_counts_values_ageing_and_conversion(funnel_font) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = funnel_chart(FUNNEL_TITLE, FUNNEL_SUMMARY, FUNNEL_ROWS)
    assert png_size(png) == (900, 1200) and not [w for w in caught if "Glyph" in str(w.message)]
    plan = plan_funnel(FUNNEL_TITLE, FUNNEL_SUMMARY, FUNNEL_ROWS)
    assert plan.title == FUNNEL_TITLE and plan.summary == (FUNNEL_SUMMARY,)
    assert [bar.label for bar in plan.bars] == ["初步接触", "需求确认", "方案报价", "商务谈判", "赢单", "输单"]
    assert [bar.text for bar in plan.bars][:2] == ["6 个 · ¥240万", "4 个 · ¥180万"]
    assert plan.bars[0].side == "停留 9.5 天" and plan.bars[0].between == "转化 75%"
    assert plan.bars[4].text == "3 个 · ¥166.6万" and plan.bars[4].between == ""


def test_a_long_summary_wraps_under_the_title(funnel_font) -> None:
    long = FUNNEL_SUMMARY + "，" + FUNNEL_SUMMARY + "，" + FUNNEL_SUMMARY
    lines = plan_funnel(FUNNEL_TITLE, long, FUNNEL_ROWS).summary
    assert len(lines) == 3 and all(cells(line) <= 62 for line in lines)
    assert "".join(lines).replace(" ", "") == long.replace(" ", "")


def test_an_empty_funnel_says_so(funnel_font) -> None:
    rows = [StageFigure(stage, 0, Decimal(0)) for stage in ("初步接触", "需求确认", "赢单", "输单")]
    plan = plan_funnel("商机漏斗", "", rows)
    assert "暂无商机" in plan.labels()
    assert png_size(funnel_chart("商机漏斗", "", rows)) == (900, 1200)


def test_a_funnel_count_below_zero_is_refused() -> None:
    with pytest.raises(ValueError):
        plan_funnel("商机漏斗", "", [StageFigure("初步接触", -1, Decimal(0))])


def test_without_a_cjk_font_the_funnel_is_ascii(no_cjk_font) -> None:
    plan = plan_funnel(FUNNEL_TITLE, FUNNEL_SUMMARY, FUNNEL_ROWS)
    assert all(label.isascii() for label in plan.labels())
    assert plan.bars[0].text == "6 - RMB 2,400k" and plan.bars[0].label == "Chu Bu Jie Chu"
    assert png_size(funnel_chart(FUNNEL_TITLE, FUNNEL_SUMMARY, FUNNEL_ROWS)) == (900, 1200)


def test_the_weekly_chart_gains_a_funnel_panel(funnel_font) -> None:
    funnel = {"初步接触": 3, "需求确认": 1, "方案报价": 0, "商务谈判": 0, "赢单": 1, "输单": 1}
    plan = plan_chart(TITLE, PERIOD, REGISTRATIONS, VISITS, FLAGS, funnel)
    assert plan.funnel_title == "商机漏斗" and [bar.value for bar in plan.funnel_bars] == [3, 1, 0, 0, 1, 1]
    assert "商机漏斗" in plan.labels()
    assert png_size(weekly_chart(TITLE, PERIOD, REGISTRATIONS, VISITS, FLAGS, funnel)) == (900, 1200)
    assert plan_chart(TITLE, PERIOD, REGISTRATIONS, VISITS, FLAGS, {"初步接触": 0}).funnel_bars == ()
