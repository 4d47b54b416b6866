"""The weekly picture managers get in the chat: registrations by status, visits per rep.

Managers would rather look than read, so the weekly digest carries one PNG
(sent as an image message) next to its text. Chat apps show images roughly
300–400 px wide in the chat and full screen when tapped, so the picture is
tall (900×1200 px): the registration panel on top, the visits panel below.

One concept a module:
- ``words``: the picture's fixed words and the glyphs a font must have;
- ``fonts``: finding a CJK font by what it can draw (its character map),
  not by its name;
- ``labels``: every label in Chinese when the font draws it, else in pinyin /
  English, because a picture of empty boxes (tofu) is worse than pinyin;
- ``plan``: ``plan_chart`` decides everything that will be drawn (bars,
  labels, legend), so tests can check what a manager will read without
  looking at pixels;
- ``render``: ``weekly_chart`` only draws that plan, with matplotlib's object
  API and the Agg canvas, never pyplot (the bot renders in worker threads and
  pyplot keeps global state).
"""
from handlers.reports.charts import fonts
from handlers.reports.charts.fonts import CjkFace, cjk_font, pick_cjk_face
from handlers.reports.charts.labels import (
           MAX_LABEL_CELLS,
           MAX_TITLE_CELLS,
           Labeller,
           cells,
           latin_name,
           latin_text,
           shorten,
)
from handlers.reports.charts.plan import TOP_REPS, Bar, ChartPlan, plan_chart
from handlers.reports.charts.render import weekly_chart
from handlers.reports.charts.words import REQUIRED_GLYPHS, STATUS_WORDS, WORDS

__all__ = [
           "MAX_LABEL_CELLS",
           "MAX_TITLE_CELLS",
           "REQUIRED_GLYPHS",
           "STATUS_WORDS",
           "TOP_REPS",
           "WORDS",
           "Bar",
           "ChartPlan",
           "CjkFace",
           "Labeller",
           "cells",
           "cjk_font",
           "fonts",
           "latin_name",
           "latin_text",
           "pick_cjk_face",
           "plan_chart",
           "shorten",
           "weekly_chart",
]
