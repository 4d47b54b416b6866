"""The audit trail (viewers of every area): browse and filter it, verify the
hash chain from the page (and see the first bad event, if any), export a range
as CSV with the hashes. Verification is chat.audit's own; exports are audited."""
from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, g, render_template, request
from sqlalchemy import func, select

from adapters.console.auth import all_areas_only, record
from adapters.console.env import ConsoleEnv
from adapters.console.views import day_arg, end_of, int_arg, page_arg, start_of
from chat.audit import verify_chain
from models import AuditEvent

EXPORT_MAX = 200_000
CSV_COLUMNS = ("seq", "at", "actor", "action", "entity_type", "entity_id", "before", "after", "verdicts",
               "prev_hash", "hash")


def _filtered(env: ConsoleEnv, args):
    q = select(AuditEvent)
    for column in ("actor", "entity_type", "entity_id"):
        if args.get(column):
            q = q.where(getattr(AuditEvent, column) == args[column].strip())
    if args.get("action"):
        q = q.where(AuditEvent.action.like(args["action"].strip() + "%"))
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
    return q


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def install(bp: Blueprint, env: ConsoleEnv) -> None:
    factory, clock = env.svc.factory, env.svc.clock

    def page(report=None):
        p = page_arg()
        with factory() as s:
            q = _filtered(env, request.values)
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar()
            rows = list(s.execute(q.order_by(AuditEvent.seq.desc()).limit(p.size).offset(p.offset)).scalars())
        return render_template("console/audit.html", rows=rows, total=total, page=p, args=request.values,
                               report=report)

    @bp.get("/audit")
    @all_areas_only
    def audit_trail():
        return page()

    @bp.post("/audit/verify")
    @all_areas_only
    def audit_verify():
        with factory() as s:
            report = verify_chain(s)
        record(env, "audit.verified", "audit", "chain", after={"ok": report.ok, "events": report.events,
                                                                "first_bad_seq": report.first_bad_seq})
        return page(report)

    @bp.post("/audit/export.csv")
    @all_areas_only
    def audit_export():
        with factory() as s:
            rows = list(s.execute(_filtered(env, request.form).order_by(AuditEvent.seq).limit(EXPORT_MAX)).scalars())
        out = io.StringIO()
        out.write("\ufeff")             # Excel reads UTF-8 CSV as such only with the BOM
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for ev in rows:
            writer.writerow([ev.seq, ev.at.isoformat(), ev.actor, ev.action, ev.entity_type, ev.entity_id,
                             _json(ev.before), _json(ev.after), _json(ev.verdicts), ev.prev_hash, ev.hash])
        span = {"from_seq": rows[0].seq if rows else None, "to_seq": rows[-1].seq if rows else None,
                "events": len(rows), "filters": {k: v for k, v in request.form.items() if k != "csrf_token" and v}}
        record(env, "audit.exported", "audit", "csv", after=span)
        name = f"qudao-audit-{clock.fmt(clock.now(), '%Y%m%d-%H%M')}.csv"
        return Response(out.getvalue().encode("utf-8"), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "X-Exported-By": g.viewer.external_id})
