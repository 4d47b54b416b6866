"""The audit trail (viewers of every area): browse and filter it, verify it
from the page (which then shows the first bad event and names every problem),
export a range as CSV with each event's hash and its batch's root and hash.
Each page seals what was recorded since the last sealing first (chat.audit's
seal_all), so it shows the current state; events still unsealed are shown as
such. Verification is chat.audit's own; verifications and exports are audited."""
from __future__ import annotations

import csv
import io
import json
import logging

from flask import Blueprint, Response, g, render_template, request
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from adapters.console.auth import all_areas_only, record
from adapters.console.env import ConsoleEnv
from adapters.console.views import LONGEST_FILTER, day_arg, end_of, int_arg, page_arg, start_of
from chat.audit import seal_all, verify
from domain.spreadsheet import csv_text
from models import AuditBatch, AuditEvent

log = logging.getLogger(__name__)

EXPORT_MAX = 200_000
CSV_COLUMNS = ("seq", "event_id", "at", "actor", "action", "entity_type", "entity_id", "before", "after", "verdicts",
               "hash", "batch", "batch_root", "batch_hash", "prev_hash")
PROBLEMS_SHOWN = 20


def _filtered(env: ConsoleEnv, args):
    q = select(AuditEvent)
    for column in ("actor", "entity_type", "entity_id"):
        if args.get(column):
            q = q.where(getattr(AuditEvent, column) == args[column].strip())
    if args.get("action"):
        # (A verify or export posts its filters as a form: bounded here, as the page's are.)
        q = q.where(AuditEvent.action.like(args["action"].strip()[:LONGEST_FILTER] + "%"))
    since, until = day_arg("from"), day_arg("to")
    if since:
        q = q.where(AuditEvent.at >= start_of(env, since))
    if until:
        q = q.where(AuditEvent.at < end_of(env, until))
    low, high = int_arg("seq_from", None, 1), int_arg("seq_to", None, 1)
    if low:
        q = q.where(AuditEvent.seq >= low)
    if high:
        q = q.where(AuditEvent.seq <= high)
    batch = int_arg("batch", None, 1)
    if batch:
        q = q.where(AuditEvent.batch == batch)
    if args.get("unsealed"):
        q = q.where(AuditEvent.seq.is_(None))
    return q


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def install(bp: Blueprint, env: ConsoleEnv) -> None:
    factory, clock, key = env.svc.factory, env.svc.clock, env.svc.audit_key

    def seal() -> None:
        try:
            seal_all(factory, key=key)
        except Exception:        # the scheduler seals them soon; the page shows them unsealed meanwhile
            log.exception("sealing the audit trail from the console failed")

    def page(report=None, around: int | None = None):
        p = page_arg()
        args = request.values
        if around is not None:      # after a failed verification: the first bad event and its neighbours
            args = MultiDict({"seq_from": str(max(1, around - 2)), "seq_to": str(around + 2)})
        with factory() as s:
            q = _filtered(env, args)
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar()
            rows = list(s.execute(q.order_by(AuditEvent.seq.is_(None).desc(), AuditEvent.seq.desc(),
                                             AuditEvent.id.desc()).limit(p.size).offset(p.offset)).scalars())
            unsealed = s.execute(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.seq.is_(None))).scalar()
            head = s.execute(select(AuditBatch).order_by(AuditBatch.number.desc()).limit(1)).scalar_one_or_none()
        return render_template("console/audit.html", rows=rows, total=total, page=p, args=args, report=report,
                               problems=report.problems[:PROBLEMS_SHOWN] if report else [], unsealed=unsealed,
                               head=head)

    @bp.get("/audit")
    @all_areas_only
    def audit_trail():
        seal()
        return page()

    @bp.post("/audit/verify")
    @all_areas_only
    def audit_verify():
        seal()
        with factory() as s:
            report = verify(s, key=key)
        first = report.first_bad
        record(env, "audit.verified", "audit", "chain", after={
            "ok": report.ok, "events": report.events, "batches": report.batches, "unsealed": report.unsealed,
            "first_bad_seq": report.first_bad_seq, "first_bad_event": first.event_id if first else None,
            "first_problem": first.kind if first else None, "problems": len(report.problems)})
        return page(report, around=report.first_bad_seq)

    @bp.post("/audit/export.csv")
    @all_areas_only
    def audit_export():
        seal()
        with factory() as s:
            rows = list(s.execute(_filtered(env, request.form).order_by(
                AuditEvent.seq.is_(None), AuditEvent.seq, AuditEvent.id).limit(EXPORT_MAX)).scalars())
            numbers = {ev.batch for ev in rows if ev.batch is not None}
            batches = {b.number: b for b in s.execute(select(AuditBatch).where(
                AuditBatch.number.in_(numbers))).scalars()} if numbers else {}
        out = io.StringIO()
        out.write("\ufeff")             # Excel reads UTF-8 CSV as such only with the BOM
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for ev in rows:
            b = batches.get(ev.batch)
            # Who and what can be text people typed (an alias, a partner's name): never a
            # formula when the file is opened in Excel (a verifier strips the leading ').
            writer.writerow([ev.seq or "", ev.id, ev.at.isoformat(), csv_text(ev.actor), csv_text(ev.action),
                             csv_text(ev.entity_type), csv_text(ev.entity_id), _json(ev.before), _json(ev.after),
                             _json(ev.verdicts), ev.hash or "",
                             ev.batch or "", b.root if b else "", b.hash if b else "", ev.prev_hash or ""])
        sealed = [ev for ev in rows if ev.seq is not None]
        span = {"from_seq": sealed[0].seq if sealed else None, "to_seq": sealed[-1].seq if sealed else None,
                "events": len(rows), "unsealed": len(rows) - len(sealed),
                "filters": {k: v for k, v in request.form.items() if k != "csrf_token" and v}}
        record(env, "audit.exported", "audit", "csv", after=span)
        name = f"qudao-audit-{clock.fmt(clock.now(), '%Y%m%d-%H%M')}.csv"
        return Response(out.getvalue().encode("utf-8"), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "X-Exported-By": g.viewer.external_id})
