"""The two ways an import can go wrong: the whole file, or one row.

Messages are Chinese first with English in brackets, as ops staff read them
and as the existing customer import wrote them.
"""
from __future__ import annotations


class FileProblem(Exception):
    """The file can't be imported at all (unreadable, wrong sheet, header lacks a
    required column). Raised before any row is written; the CLI exits 2."""


class RowProblem(Exception):
    """One row is bad; the import goes on with the others and lists it."""


SAID_CHARS = 40


def said(value: object) -> str:
    """A cell as a problem quotes it: its start only (a 100,000-character cell made a
    100,000-character line in the report)."""
    text = str(value)
    return text if len(text) <= SAID_CHARS else text[:SAID_CHARS] + "…"
