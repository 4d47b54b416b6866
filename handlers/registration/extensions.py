"""延期: a holder asks for one extension of a registration's lock. The rule store
says what evidence it needs (default: a verified visit to the customer in the
last 30 days); the approver's card shows that evidence.

A visit whose flags put its location in doubt (visits.suspicious_flags: a
speed jump, a point reused elsewhere) does not count unless
lifecycle.extension.count_suspicious_visits says so; it is still shown, as
"not counted", so the approver sees the whole picture. Other flags (late
hours, a forgotten 签退) do not cast doubt on the place: such visits count,
and the card shows their flags too."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from chat.records import Found, partner_record
from domain.language import Parsed
from domain.rules import Verdict
from domain.rules import visit_checks as checks
from domain.rules.verdict import NEEDS_APPROVAL
from handlers.approvals import start_flow
from handlers.approvals.deciders import decider_words
from handlers.approvals.kinds import CardView, RowSubject
from handlers.registration import locks
from handlers.registration.payload import snapshot
from handlers.registration.texts import t
from models import (
    Approval,
    ApprovalFlow,
    Customer,
    ExtensionStatus,
    Partner,
    Registration,
    RegistrationExtension,
    RegistrationStatus,
    Role,
    User,
    Visit,
)

MAX_REASON_CHARS = 300
EVIDENCE_SHOWN = 5
NOTE_CHARS = 40
# 拜访小结 lines are stored as "[15:49] text"; the card has the visit's time already.
_NOTE_STAMP = re.compile(r"^\[\d{1,2}:\d{2}\]\s*")


def _evidence(ctx: Context, reg: Registration) -> list[dict]:
    """Verified visits to the customer in the window, by the partner's people or
    the manufacturer's field reps (who often visit together with the dealer),
    each marked whether it counts (see the module note on suspicious flags)."""
    rules = ctx.rules.lifecycle.extension
    since = ctx.now - timedelta(days=rules.within_days)
    rows = ctx.s.execute(select(Visit, User).join(User, User.id == Visit.user_id).where(
        Visit.customer_id == reg.customer_id, Visit.verified.is_(True), Visit.checkin_at >= since,
        (Visit.partner_id == reg.partner_id) | (User.role == Role.REP)).order_by(Visit.checkin_at.desc())).all()
    out = []
    for v, u in rows:
        doubt = checks.suspicious(ctx.rules.visits, v.flags)
        out.append({"visit": v.id, "at": v.checkin_at.isoformat(), "when": ctx.fmt(v.checkin_at, "%m-%d %H:%M"),
                    "who": u.name, "role": u.role, "distance_m": v.distance_m,
                    "minutes": round(v.duration_s / 60) if v.duration_s else None, "photos": len(v.photos),
                    "note": _NOTE_STAMP.sub("", (v.notes or "").split("\n")[0])[:NOTE_CHARS],
                    "flags": [f["code"] for f in v.flags or []], "suspicious": doubt,
                    "counted": not doubt or rules.count_suspicious_visits})
    return out


def _labels(codes: list[str]) -> str:
    return "".join(" ⚠️" + checks.flag_label(c) for c in codes)


def request(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    if ctx.user.role != Role.DEALER or ctx.user.partner_id is None:
        ctx.reply(Text(t("partners_only", lang)))
        return
    if not parsed.ref:
        ctx.reply(Text(t("ext_usage", lang)))
        return
    reg, found = partner_record(ctx, Registration, parsed.ref, lock=True)
    if found == Found.MISSING:
        ctx.reply(Text(t("no_such_registration", lang, ref=parsed.ref)))
        return
    if found == Found.FOREIGN:
        ctx.reply(Text(t("not_your_registration", lang, ref=parsed.ref.upper())))
        return
    if reg.status != RegistrationStatus.APPROVED or reg.lock_until is None or reg.lock_until <= ctx.now:
        ctx.reply(Text(t("ext_not_protected", lang, number=reg.number)))
        return
    reason = (parsed.note or "").strip() or None
    if reason and len(reason) > MAX_REASON_CHARS:
        ctx.reply(Text(t("reason_too_long", lang, limit=MAX_REASON_CHARS)))
        return
    rules = ctx.rules.lifecycle.extension
    if reg.extensions >= rules.max_extensions:
        ctx.reply(Text(t("ext_used_up", lang, number=reg.number, n=rules.max_extensions)))
        return
    pending = ctx.s.execute(select(RegistrationExtension.number).where(
        RegistrationExtension.registration_id == reg.id,
        RegistrationExtension.status == ExtensionStatus.PENDING)).scalar()
    if pending:
        ctx.reply(Text(t("ext_pending", lang, number=reg.number, ext=pending)))
        return
    evidence = _evidence(ctx, reg)
    counted = [e for e in evidence if e["counted"]]
    doubtful = [e for e in evidence if not e["counted"]]
    facts = {"verified_visits": len(counted), "needed": rules.verified_visits, "within_days": rules.within_days,
             "visits": [e["visit"] for e in counted], "not_counted": [e["visit"] for e in doubtful]}
    if len(counted) < rules.verified_visits:
        ctx.audit("extension.refused", "registration", reg.number, after=facts)
        not_counted = t("ext_not_counted", lang, n=len(doubtful), flags="、".join(sorted(
            {checks.flag_label(c, lang) for e in doubtful for c in e["suspicious"]}))) if doubtful else ""
        ctx.reply(Text(t("ext_no_evidence", lang, number=reg.number, have=len(counted), n=rules.verified_visits,
                         days=rules.within_days, customer=reg.customer_text, not_counted=not_counted)))
        return
    ext = RegistrationExtension(registration_id=reg.id, requester_id=ctx.user.id, status=ExtensionStatus.PENDING,
                                days=rules.days, reason=reason, evidence=evidence, lock_until_before=reg.lock_until,
                                created_at=ctx.now)
    ctx.s.add(ext)
    ctx.s.flush()
    ext.number = f"EX{ctx.clock.local(ctx.now):%Y%m%d}-{ext.id:04d}"
    verdict = Verdict("lifecycle.extension", NEEDS_APPROVAL, "EXTENSION",
                      t("ext_verdict", "zh", have=len(counted), days=rules.within_days), facts,
                      approver_role=rules.approver)
    customer = ctx.s.get(Customer, reg.customer_id)
    flow = start_flow(ctx, "extension", ext, [rules.approver], [verdict],
                      region=customer.region if customer else None)
    ctx.audit("extension.requested", "registration", reg.number, after={"extension": ext.number, **facts})
    ctx.reply(Text(t("ext_submitted", lang, number=reg.number, ext=ext.number, days=rules.days,
                     until=ctx.fmt(reg.lock_until + timedelta(days=rules.days), "%Y-%m-%d"), have=len(counted),
                     who=decider_words(ctx, flow, lang))))


class ExtensionKind(RowSubject):
    model, requester_column = RegistrationExtension, "requester_id"
    name, prefix, noun = "extension", "EX", "延期申请"

    def lock(self, ctx: Context, subject_id: int) -> RegistrationExtension:
        ext = super().lock(ctx, subject_id)
        # Its registration too: deciding an extension changes the registration's protection.
        ctx.s.execute(select(Registration).where(Registration.id == ext.registration_id).with_for_update()
                      .execution_options(populate_existing=True)).scalar_one()
        return ext

    def revision(self, ext: RegistrationExtension) -> int:
        return 1                    # a request is decided as it was made: it never changes

    def payload(self, ctx: Context, ext: RegistrationExtension) -> dict:
        reg = ctx.s.get(Registration, ext.registration_id)
        return {"extension": ext.number, "registration": reg.number, "revision": reg.revision,
                "status": reg.status, "lock_until": ext.lock_until_before.isoformat(), "days": ext.days,
                "evidence": [e["visit"] for e in ext.evidence]}

    def is_open(self, ext: RegistrationExtension) -> bool:
        return ext.status == ExtensionStatus.PENDING

    def card(self, ctx: Context, flow: ApprovalFlow, ext: RegistrationExtension, appr: Approval) -> CardView:
        reg = ctx.s.get(Registration, ext.registration_id)
        partner = ctx.s.get(Partner, reg.partner_id)
        # Evidence frozen before flags were recorded on it counts (it was all that counted then).
        counted = [e for e in ext.evidence if e.get("counted", True)]
        doubtful = [e for e in ext.evidence if not e.get("counted", True)]
        first = counted[0] if counted else None
        proof = (f"{first['when']} {first['who']} 距{first['distance_m']:.0f}米"
                 + (f" {first['minutes']}分钟" if first.get("minutes") else "")
                 + (f" 📷{first['photos']}" if first.get("photos") else "")) if first else "无"
        count = t("ext_card_count", "zh", n=len(counted), days=ctx.rules.lifecycle.extension.within_days)
        if doubtful:
            count += t("ext_card_not_counted", "zh", n=len(doubtful))
        # A row value shows 30 characters: the flags get a row of their own.
        flags = "、".join(checks.flag_label(c) for c in first.get("flags", [])) if first else ""
        until = ctx.fmt(ext.lock_until_before + timedelta(days=ext.days), "%Y-%m-%d")
        rows = (("报备", f"{reg.number} {reg.customer_text}"),
                ("产品线", "、".join(reg.product_lines)),
                ("延期至", t("ext_card_until", "zh", until=until, days=ext.days,
                            before=ctx.fmt(ext.lock_until_before, "%Y-%m-%d"))),
                ("拜访证据", proof),
                ("拜访标记", "⚠️" + flags if flags else "无"),
                ("核实拜访", count))
        return CardView(title=t("ext_card_title", "zh", number=ext.number),
                        desc=f"{partner.name} · {self.requester(ctx, ext).name}", rows=rows,
                        note=_evidence_summary(ext.reason, first, counted[1:EVIDENCE_SHOWN], doubtful[:EVIDENCE_SHOWN]))

    def approved(self, ctx: Context, flow: ApprovalFlow, ext: RegistrationExtension, appr: Approval) -> None:
        reg = ctx.s.get(Registration, ext.registration_id)
        before = snapshot(reg)
        ext.status, ext.decided_at = ExtensionStatus.APPROVED, ctx.now
        reg.lock_until = ext.lock_until_before + timedelta(days=ext.days)
        reg.extensions += 1
        reg.updated_at = ctx.now
        locks.extend(ctx, reg)
        ctx.audit("registration.extended", "registration", reg.number, before=before, after=snapshot(reg))
        who = ctx.s.get(User, appr.decided_by_id)
        ctx.send(self.requester(ctx, ext), Text(t("ext_approved", "zh", number=reg.number, who=who.name,
                                                  until=ctx.fmt(reg.lock_until, "%Y-%m-%d"))),
                 key=f"decision:{appr.id}")

    def rejected(self, ctx: Context, flow: ApprovalFlow, ext: RegistrationExtension, appr: Approval,
                 reason: str) -> None:
        reg = ctx.s.get(Registration, ext.registration_id)
        ext.status, ext.decided_at = ExtensionStatus.REJECTED, ctx.now
        ctx.audit("extension.rejected", "registration", reg.number, after={"extension": ext.number, "reason": reason})
        ctx.send(self.requester(ctx, ext), Text(t("ext_rejected", "zh", number=reg.number, who=ctx.user.name,
                                                  reason=reason, until=ctx.fmt(reg.lock_until, "%Y-%m-%d"))),
                 key=f"decision:{appr.id}")


def _evidence_summary(reason: str | None, first: dict | None, others: list[dict], doubtful: list[dict]) -> str:
    """The card's text under its title: the reason, what the visit shown in the
    rows found (its 拜访小结), then the other visits, one clause each."""
    parts = [t("ext_card_reason", "zh", reason=reason)] if reason else []
    if first and first.get("note"):
        parts.append(t("ext_card_note", "zh", note=first["note"]))
    if others:
        parts.append(t("ext_card_more", "zh", visits="，".join(_visit_clause(v) for v in others)))
    if doubtful:
        parts.append(t("ext_card_doubtful", "zh", visits="，".join(_visit_clause(v) for v in doubtful)))
    return "；".join(parts)


def _visit_clause(v: dict) -> str:
    return f"{v['when']} {v['who']}" + (f"「{v['note']}」" if v.get("note") else "") + _labels(v.get("flags", []))
