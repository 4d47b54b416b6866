"""Imports started from the ops console: the uploaded file is kept (a media
blob, so any worker can run the real import the dry run checked), the run
works in a background thread of the web process, and its progress and its
row-level report live in the database (table import_jobs), where the page
polls them from whichever worker it reaches."""
from __future__ import annotations

import logging
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select

from chat import audit
from chat.context import Services
from chat.media import store_blob
from chat.operations import Refused
from handlers.imports.problems import FileProblem
from handlers.imports.reader import CSV_SUFFIXES, EXCEL_SUFFIXES, Table, open_table
from handlers.imports.registry import KINDS
from handlers.imports.report import ImportReport
from handlers.imports.runner import run_import
from models import ImportJob, ImportJobStatus, MediaBlob
from models.db import read_only

log = logging.getLogger(__name__)

BATCH = 500
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# The page shows this many bad rows and warnings; the counts are always whole.
ROWS_KEPT = 1000
PROGRESS_EVERY_S = 0.25
MAX_NAME_CHARS = 200        # import_jobs.filename


def kinds(svc: Services, actor: str) -> list[dict]:
    return [{"name": k.name, "zh": k.title_zh, "en": k.title_en} for k in KINDS.values()]


def start(svc: Services, actor: str, kind: str, filename: str, data: bytes, sheet: str | None = None,
          background: bool = True) -> int:
    """Keep the file and check it (a dry run: nothing is written); returns the job id."""
    if kind not in KINDS:
        raise Refused(f"没有这种导入：{kind}", f"No such import: {kind}", code="kind")
    filename = _printable(filename or "")
    suffix = Path(filename).suffix.lower()
    if suffix not in (*EXCEL_SUFFIXES, *CSV_SUFFIXES):
        raise Refused("只能导入 .xlsx、.xlsm 或 .csv 文件。", "Upload an .xlsx, .xlsm or .csv file.", code="type")
    if not data:
        raise Refused("文件是空的。", "The file is empty.", code="empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refused(f"文件太大（最多 {MAX_UPLOAD_BYTES // 1024 // 1024} MB）。",
                      f"The file is too large (at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB).", code="size")
    now = svc.clock.now()
    with svc.factory() as s, s.begin():
        blob = store_blob(s, svc.clock, "import", data, "application/octet-stream", Path(filename).name)
        job = ImportJob(kind=kind, filename=filename, sheet=(sheet or None), blob_id=blob.id,
                        dry_run=True, status=ImportJobStatus.QUEUED, started_by=actor, created_at=now, updated_at=now)
        s.add(job)
        s.flush()
        job_id = job.id
    _launch(svc, job_id, background)
    return job_id


def _printable(filename: str) -> str:
    """The name as shown and as the run's temporary file: no control characters (a
    NUL can't name a file) and no lone surrogates (they can't be stored)."""
    kept = Path("".join(ch for ch in filename if ch.isprintable() and not "\ud800" <= ch <= "\udfff")).name
    kept = kept.strip() or "upload"
    if len(kept) > MAX_NAME_CHARS:                       # shortened before its type, which must stay
        suffix = Path(kept).suffix[:10]
        kept = kept[:MAX_NAME_CHARS - len(suffix)] + suffix
    return kept


def confirm(svc: Services, actor: str, job_id: int, background: bool = True) -> int:
    """Import for real the file a finished dry run checked; returns the new job's id."""
    now = svc.clock.now()
    with svc.factory() as s, s.begin():
        checked = s.get(ImportJob, job_id)
        if checked is None or not checked.dry_run or checked.status != ImportJobStatus.DONE:
            raise Refused("只能在试运行完成后正式导入。", "Import for real only after a finished dry run.",
                          code="not_checked")
        done = s.execute(select(ImportJob.id).where(ImportJob.checked_by_id == checked.id)).scalar()
        if done is not None:
            return done             # a second click on the same button: the run already started
        job = ImportJob(kind=checked.kind, filename=checked.filename, sheet=checked.sheet, blob_id=checked.blob_id,
                        dry_run=False, checked_by_id=checked.id, status=ImportJobStatus.QUEUED, started_by=actor,
                        created_at=now, updated_at=now)
        s.add(job)
        s.flush()
        new_id = job.id
    _launch(svc, new_id, background)
    return new_id


def _launch(svc: Services, job_id: int, background: bool) -> None:
    if not background:
        run_job(svc, job_id)
        return
    threading.Thread(target=run_job, args=(svc, job_id), name=f"qudao-import-{job_id}", daemon=True).start()


def estimate_rows(table: Table) -> int | None:
    """About how many rows the file holds, for the progress bar (the header counts
    as one). A CSV is counted; a workbook says its own size."""
    try:
        if table.is_excel:
            from openpyxl import load_workbook
            wb = load_workbook(table.path, read_only=True)
            try:
                return wb[table.sheet].max_row
            finally:
                wb.close()
        with open(table.path, "rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except Exception:          # an estimate only: the bar then just counts rows
        return None


# Progress of the runs working in this process: (phase, rows). The job row gets
# it too, except while a dry run on SQLite holds the database's one write lock
# for the whole run (SQLite runs one process: its polls are answered from here).
_LIVE: dict[int, tuple[str, int]] = {}
_LIVE_LOCK = threading.Lock()


class _Progress:
    """The runner's progress callback: kept in memory at once, and written to the
    job row at most every PROGRESS_EVERY_S (each time in its own transaction)."""

    def __init__(self, svc: Services, job_id: int, to_db: bool):
        self.svc, self.job_id, self.to_db = svc, job_id, to_db
        self.phase, self.last = None, 0.0

    def __call__(self, phase: str, rows: int) -> None:
        with _LIVE_LOCK:
            _LIVE[self.job_id] = (phase, rows)
        now = time.monotonic()
        if not self.to_db or (phase == self.phase and now - self.last < PROGRESS_EVERY_S):
            return
        self.phase, self.last = phase, now
        with self.svc.factory() as s, s.begin():
            job = s.get(ImportJob, self.job_id)
            job.phase, job.rows_done, job.updated_at = phase, rows, self.svc.clock.now()


def progress(svc: Services, actor: str, job_id: int) -> dict | None:
    """How far a run is: reading and checking the file is the first half of the
    bar, writing (or trying the writes, in a dry run) the second."""
    # The live figure is read before the row, and _finish forgets it only after the
    # row says done: either this poll sees the run's latest figure or the row's end,
    # never the row's older (or, in a SQLite dry run, never written) figure after a
    # newer one, so the bar never steps back.
    with _LIVE_LOCK:
        live = _LIVE.get(job_id)
    # Read-only: on SQLite a plain session would queue for the write lock a check
    # holds for its whole run, and then race the run's end for it.
    with read_only(svc.factory) as s:
        job = s.get(ImportJob, job_id)
        if job is None:
            return None
        status, phase, rows = job.status, job.phase, job.rows_done
        estimate, dry_run, error = job.rows_estimate, job.dry_run, job.error
    if live is not None and status == ImportJobStatus.RUNNING:
        phase, rows = live
    finished = status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)
    share = min(rows / max((estimate or 0) - 1, 1), 1.0) if estimate else 0.0     # less the header row
    if finished:
        percent = 100
    elif status == ImportJobStatus.QUEUED:
        percent = 0
    else:
        percent = int(50 * share) if phase == "read" else 50 + int(50 * share)
    return {"id": job_id, "status": status, "phase": phase, "rows": rows, "estimate": estimate,
            "percent": min(percent, 100), "dry_run": dry_run, "finished": finished, "error": error}


def run_job(svc: Services, job_id: int) -> None:
    with svc.factory() as s:
        job = s.get(ImportJob, job_id)
        blob = s.get(MediaBlob, job.blob_id)
        kind, sheet, filename, dry_run, actor, data = (KINDS[job.kind], job.sheet, job.filename, job.dry_run,
                                                       job.started_by, blob.data)
    with tempfile.TemporaryDirectory(prefix="qudao-import-") as tmp:
        try:
            # Not the upload's own name: one of 86 Chinese characters is past a file name's 255 bytes.
            path = Path(tmp) / ("upload" + Path(filename).suffix.lower())
            path.write_bytes(data)
            table = open_table(path, sheet)
            _update(svc, job_id, status=ImportJobStatus.RUNNING, rows_estimate=estimate_rows(table), phase="read")
            sqlite = svc.factory.kw["bind"].dialect.name == "sqlite"
            report = run_import(svc.factory, kind, table, dry_run=dry_run, batch=BATCH, clock=svc.clock,
                                progress=_Progress(svc, job_id, to_db=not (dry_run and sqlite)), actor=actor)
        except (FileProblem, OSError, UnicodeDecodeError) as exc:
            _finish(svc, job_id, actor, error=str(exc))
            return
        except Exception as exc:        # a bug must not leave the page polling a job that never ends
            log.exception("import job %s failed", job_id)
            _finish(svc, job_id, actor, error=f"导入出错，已记录 (unexpected error: {exc.__class__.__name__})")
            return
    _finish(svc, job_id, actor, report=report)


def _update(svc: Services, job_id: int, **values) -> None:
    with svc.factory() as s, s.begin():
        job = s.get(ImportJob, job_id)
        for key, value in values.items():
            setattr(job, key, value)
        job.updated_at = svc.clock.now()


def report_dict(report: ImportReport) -> dict:
    return {**report.counts(), "notes": report.notes, "errors": [list(e) for e in report.errors[:ROWS_KEPT]],
            "warnings": [list(w) for w in report.warnings[:ROWS_KEPT]]}


def _finish(svc: Services, job_id: int, actor: str, report: ImportReport | None = None,
            error: str | None = None) -> None:
    now = svc.clock.now()
    with svc.factory() as s, s.begin():
        job = s.get(ImportJob, job_id)
        job.status = ImportJobStatus.FAILED if error else ImportJobStatus.DONE
        job.error, job.finished_at, job.updated_at = error, now, now
        if report is not None:
            job.report, job.rows_done = report_dict(report), report.rows
        if error or job.dry_run:
            # A real run records its own audit event (the runner's); a check or a file
            # that could not be used is noted here, with who tried it.
            audit.record(s, at=now, actor=actor, action="import.checked" if not error else "import.failed",
                         entity_type="import", entity_id=job.id,
                         after={"kind": job.kind, "file": job.filename, "error": error,
                                **({"counts": report.counts()} if report else {})})
    # Forgotten only now that the row says how the run ended (see progress()).
    with _LIVE_LOCK:
        _LIVE.pop(job_id, None)
