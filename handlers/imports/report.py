"""What an import did, row by row summed up: the same shape for every kind."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    kind: str = ""
    source: str | None = None          # the file name
    encoding: str | None = None        # CSV: the encoding the file was read in
    sheet: str | None = None           # Excel: the sheet read
    dry_run: bool = False
    rows: int = 0                      # non-empty data rows read
    imported: int = 0                  # new records
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)      # (row, reason): not imported
    warnings: list[tuple[int, str]] = field(default_factory=list)    # (row, reason): imported or superseded
    notes: list[str] = field(default_factory=list)                   # about the whole file
    extra: dict[str, int] = field(default_factory=dict)              # kind-specific counts (customers: aliases)
    seconds: float = 0.0

    def error(self, row: int, reason: str) -> None:
        self.errors.append((row, reason))

    def warn(self, row: int, reason: str) -> None:
        self.warnings.append((row, reason))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def count(self, outcome: str) -> None:
        """outcome: imported | updated | unchanged."""
        setattr(self, outcome, getattr(self, outcome) + 1)

    def finish(self, seconds: float) -> None:
        self.errors.sort(key=lambda e: e[0])     # the two passes find errors in different orders
        self.warnings.sort(key=lambda w: w[0])
        self.seconds = seconds

    # Names the customer import has always used (bench/matchbench reads them).
    @property
    def skipped(self) -> int:
        return self.unchanged

    @property
    def aliases(self) -> int:
        return self.extra.get("aliases", 0)

    def counts(self) -> dict:
        """The summary: the CLI's JSON line and the audit event's `after`."""
        out = {"kind": self.kind, "file": self.source, "rows": self.rows, "imported": self.imported,
               "updated": self.updated, "unchanged": self.unchanged, "bad_rows": len(self.errors),
               "warnings": len(self.warnings), **self.extra, "dry_run": self.dry_run,
               "seconds": round(self.seconds, 1)}
        if self.encoding:
            out["encoding"] = self.encoding
        if self.sheet:
            out["sheet"] = self.sheet
        return out
