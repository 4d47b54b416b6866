"""What-if: the last N days of recorded registrations, orders, special-price
requests and extension requests decided again under candidate rules, in a
read-only transaction; the cases whose decision would change, and a summary
("2 个报备将因报备数量上限被拒，而非直接通过").

The recorded verdicts carry their rule ids, reason codes and facts; the check
kinds run again on those facts (domain/rules/replay.py says how, and what is
replayed as recorded).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.clock import Clock
from domain.rules import replay
from domain.rules.decision import ACCEPTED, APPROVAL, REFUSED, Decision, ladder, overall
from domain.rules.model import RuleSetData
from domain.rules.verdict import Verdict
from domain.rules.words import role_word, rule_name
from handlers.rules.texts import t
from models import (
    ApprovalFlow,
    AuditEvent,
    ExtensionStatus,
    Order,
    Partner,
    Registration,
    RegistrationExtension,
    SpecialPrice,
    Visit,
)
from models.db import read_only

KINDS = ("registration", "order", "special_price", "extension")
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Case:
    kind: str                 # registration | order | special_price | extension
    ref: str                  # RG… SO… SP… EX… (a refused extension: its registration's RG…)
    at: datetime              # when it was received
    partner: str
    customer: str
    before: Decision
    after: Decision
    # The verdicts that came out otherwise: {rule_id, before, after} (outcome/reason code)
    changed_rules: tuple[dict, ...] = ()

    def to_dict(self) -> dict:
        return {"kind": self.kind, "ref": self.ref, "at": self.at.isoformat(), "partner": self.partner,
                "customer": self.customer, "before": self.before.to_dict(), "after": self.after.to_dict(),
                "changed_rules": list(self.changed_rules)}


@dataclass
class WhatIf:
    days: int
    since: datetime
    until: datetime
    replayed: Counter = field(default_factory=Counter)      # kind → cases replayed
    cases: list[Case] = field(default_factory=list)         # the ones whose decision changes
    # Registrations made without a quota (nothing counted), replayed under one: unknowable
    uncounted: int = 0

    def groups(self) -> list[tuple[str, Decision, Decision, list[Case]]]:
        """Changed cases by (kind, decision before, decision after), most first."""
        buckets: dict[tuple, list[Case]] = {}
        for case in self.cases:
            buckets.setdefault((case.kind, case.before.shown_as, case.after.shown_as), []).append(case)
        ordered = sorted(buckets.values(), key=lambda cs: (-len(cs), KINDS.index(cs[0].kind)))
        return [(cs[0].kind, cs[0].before, cs[0].after, cs) for cs in ordered]

    def summary(self, lang: str = "zh") -> list[str]:
        total = sum(self.replayed.values())
        counts = ("，" if lang == "zh" else ", ").join(
            t("count_part", lang, noun=t(f"noun_{k}", lang).lstrip("个"), n=self.replayed[k]) for k in KINDS)
        uncounted = [t("summary_uncounted", lang, n=self.uncounted)] if self.uncounted else []
        if not self.cases:
            return [t("summary_none", lang, days=self.days, total=total), *uncounted]
        lines = [t("summary_head", lang, days=self.days, total=total, counts=counts, changed=len(self.cases))]
        for kind, before, after, cases in self.groups():
            lines.append(t("summary_line", lang, n=len(cases), noun=t(f"noun_{kind}", lang),
                           after=decision_words(after, lang), before=decision_words(before, lang)))
        return lines + uncounted

    def to_dict(self, lang: str = "zh") -> dict:
        return {"days": self.days, "since": self.since.isoformat(), "until": self.until.isoformat(),
                "replayed": {k: self.replayed[k] for k in KINDS}, "changed": len(self.cases),
                "uncounted": self.uncounted,
                "summary": self.summary(lang),
                "groups": [{"kind": kind, "before": b.to_dict(), "after": a.to_dict(), "count": len(cs),
                            "text": t("summary_line", lang, n=len(cs), noun=t(f"noun_{kind}", lang),
                                      after=decision_words(a, lang), before=decision_words(b, lang)),
                            "refs": [c.ref for c in cs]} for kind, b, a, cs in self.groups()],
                "cases": [c.to_dict() for c in self.cases]}


def decision_words(d: Decision, lang: str = "zh") -> str:
    if d.outcome == ACCEPTED:
        return t("d_accepted", lang)
    if d.outcome == APPROVAL:
        return t("d_approval", lang, roles=" → ".join(role_word(r, lang) for r in (d.approver or "").split(",")))
    return t("d_refused", lang, rule=rule_name(d.rule_id or "", lang))


def _changed_rules(before: list[Verdict], after: list[Verdict]) -> tuple[dict, ...]:
    was = {v.rule_id: v for v in before}
    out = []
    for v in after:
        old = was.get(v.rule_id)
        if old is None or (old.outcome, old.reason_code, old.approver_role) != (v.outcome, v.reason_code,
                                                                                  v.approver_role):
            out.append({"rule_id": v.rule_id, "before": f"{old.outcome}/{old.reason_code}" if old else None,
                        "after": f"{v.outcome}/{v.reason_code}", "message": v.message})
    return tuple(out)


def what_if(factory: sessionmaker[Session], clock: Clock, candidate: RuleSetData,
            days: int = DEFAULT_DAYS) -> WhatIf:
    until = clock.now()
    report = WhatIf(days=days, since=until - timedelta(days=days), until=until)
    with read_only(factory) as s:
        for gather in (_registrations, _orders, _special_prices, _extensions, _refused_extensions):
            gather(s, candidate, report)
    report.cases.sort(key=lambda c: c.at)
    return report


def _add(report: WhatIf, case: Case) -> None:
    report.replayed[case.kind] += 1
    if case.before.key != case.after.key:
        report.cases.append(case)


def _verdict_cases(kind: str, model, replayer: Callable[[RuleSetData, list[dict]], list[Verdict]],
                   unknowable: Callable[[RuleSetData, list[Verdict]], bool] | None = None):
    """Registrations and orders: each one's recorded verdicts against their replay;
    ``unknowable``: a case whose recorded facts can't answer the candidate rules."""
    def gather(s: Session, rules: RuleSetData, report: WhatIf) -> None:
        rows = s.execute(select(model, Partner.name).join(Partner, Partner.id == model.partner_id)
                         .where(model.received_at >= report.since).order_by(model.received_at)).all()
        for row, partner in rows:
            before = [Verdict.from_dict(d) for d in row.verdicts or []]
            after = replayer(rules, row.verdicts or [])
            if unknowable is not None and unknowable(rules, before):
                report.uncounted += 1
            _add(report, Case(kind, row.number, row.received_at, partner, row.customer_text or "",
                              overall(before), overall(after), _changed_rules(before, after)))
    return gather


def _uncounted(rules: RuleSetData, recorded: list[Verdict]) -> bool:
    """Made without a quota (its open registrations never counted), replayed under one."""
    return rules.registration.open_quota is not None and any(
        v.rule_id == "registration.quota" and v.reason_code == "NO_QUOTA" for v in recorded)


_registrations = _verdict_cases("registration", Registration, replay.registration, _uncounted)
_orders = _verdict_cases("order", Order, replay.order)


def _first_flows(s: Session, kind: str, ids: list[int]) -> dict[int, ApprovalFlow]:
    """The first approval flow of each subject: the decision its request got when it came."""
    flows: dict[int, ApprovalFlow] = {}
    if ids:
        for flow in s.execute(select(ApprovalFlow).where(ApprovalFlow.subject_type == kind,
                                                         ApprovalFlow.subject_id.in_(ids))
                              .order_by(ApprovalFlow.id)).scalars():
            flows.setdefault(flow.subject_id, flow)
    return flows


def _special_prices(s: Session, rules: RuleSetData, report: WhatIf) -> None:
    rows = s.execute(select(SpecialPrice, Partner.name).join(Partner, Partner.id == SpecialPrice.partner_id)
                     .where(SpecialPrice.received_at >= report.since).order_by(SpecialPrice.received_at)).all()
    flows = _first_flows(s, "special_price", [sp.id for sp, _ in rows])
    for sp, partner in rows:
        flow = flows.get(sp.id)
        if flow is None:
            continue
        before = ladder([step["role"] for step in flow.steps], "SPECIAL_PRICE")
        after = replay.special_price(rules, Decimal(str(sp.depth)))
        _add(report, Case("special_price", sp.number, sp.received_at, partner, sp.customer_text or "",
                          before, after))


def _prior_extensions(s: Session, registration_id: int, before: datetime) -> int:
    return s.execute(select(func.count()).select_from(RegistrationExtension).where(
        RegistrationExtension.registration_id == registration_id,
        RegistrationExtension.status == ExtensionStatus.APPROVED,
        RegistrationExtension.decided_at < before)).scalar() or 0


def _extensions(s: Session, rules: RuleSetData, report: WhatIf) -> None:
    rows = s.execute(select(RegistrationExtension, Registration, Partner.name)
                     .join(Registration, Registration.id == RegistrationExtension.registration_id)
                     .join(Partner, Partner.id == Registration.partner_id)
                     .where(RegistrationExtension.created_at >= report.since)
                     .order_by(RegistrationExtension.created_at)).all()
    flows = _first_flows(s, "extension", [ext.id for ext, _, _ in rows])
    for ext, reg, partner in rows:
        flow = flows.get(ext.id)
        if flow is None:
            continue
        before = Decision(APPROVAL, approver=flow.steps[0]["role"], reason_code="EXTENSION")
        visits = [replay.EvidenceVisit(datetime.fromisoformat(e["at"]), tuple(e.get("flags") or ()))
                  for e in ext.evidence or [] if e.get("at")]
        verdict = replay.extension(rules, visits, ext.created_at, _prior_extensions(s, reg.id, ext.created_at))
        _add(report, Case("extension", ext.number, ext.created_at, partner, reg.customer_text, before,
                          overall([verdict]), (verdict.to_dict(),)))


def _refused_extensions(s: Session, rules: RuleSetData, report: WhatIf) -> None:
    """延期 refused for want of evidence leave no request row, only their audit event."""
    events = s.execute(select(AuditEvent).where(AuditEvent.action == "extension.refused",
                                                AuditEvent.at >= report.since).order_by(AuditEvent.id)).scalars()
    for ev in events:
        facts = ev.after or {}
        reg = s.execute(select(Registration).where(Registration.number == ev.entity_id)).scalar_one_or_none()
        if reg is None:
            continue
        ids = [*facts.get("visits", []), *facts.get("not_counted", [])]
        visits = [replay.EvidenceVisit(v.checkin_at, tuple(f["code"] for f in v.flags or []))
                  for v in (s.execute(select(Visit).where(Visit.id.in_(ids))).scalars() if ids else [])]
        before = Decision(REFUSED, rule_id="lifecycle.extension", reason_code="NO_EVIDENCE")
        verdict = replay.extension(rules, visits, ev.at, _prior_extensions(s, reg.id, ev.at))
        partner = s.get(Partner, reg.partner_id)
        _add(report, Case("extension", reg.number, ev.at, partner.name if partner else "", reg.customer_text,
                          before, overall([verdict]), (verdict.to_dict(),)))
