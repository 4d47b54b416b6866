"""Claims on names that resemble a known customer, decided together.

报备 协和医院 while 北京协和医院 is known (held or not) is a claim the area
manager must look at: the same customer is refused, another one goes on.
Every such claim on one customer joins that customer's open *contest*, so
the manager has one card per contested customer with every claim on it,
however many partners (or spellings) come: when a claim joins, changes or
leaves, the card is renewed (the old one turns into a stamp saying so).

同意 on the card: none of them is that customer — each claim goes on as a
new customer (approved, or on to the director when its amount says so).
驳回: they are that customer — every claim is refused with the reason.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.rules import Verdict
from domain.rules.verdict import NEEDS_APPROVAL
from domain.rules.words import reason_label
from domain.wording import yuan
from handlers.approvals import start_flow
from handlers.approvals.deciders import decider_words
from handlers.approvals.kinds import CardView, RowSubject
from handlers.approvals.voiding import void_flows
from handlers.registration import locks
from handlers.registration.payload import snapshot
from handlers.registration.texts import t
from models import (
    ApprovalFlow,
    ContestStatus,
    Customer,
    CustomerContest,
    FlowStatus,
    Partner,
    Registration,
    RegistrationStatus,
    User,
)

KIND = "customer_contest"
# Row priorities on the card (chat.messages.Row).
ALWAYS, ESSENTIAL, FILLER = 3, 2, 1
# What the area manager settles with the card; a director's part (the amount tier) comes after.
SETTLED_HERE = ("POSSIBLE_DUPLICATE", "REGION_UNKNOWN", "ROUTINE_APPROVAL")


def open_claims(ctx: Context, contest: CustomerContest) -> list[Registration]:
    return list(ctx.s.execute(select(Registration).where(
        Registration.contest_id == contest.id, Registration.status == RegistrationStatus.PENDING)
        .order_by(Registration.received_at, Registration.id)).scalars())


def open_contest_on(ctx: Context, customer: Customer) -> CustomerContest | None:
    """The open contest deciding claims that resemble ``customer`` — or, when
    ``customer`` is itself a name still being claimed (协和医院, waiting in the
    contest on 北京协和医院), that contest: one card per contested customer."""
    found = ctx.s.execute(select(CustomerContest).where(
        CustomerContest.customer_id == customer.id, CustomerContest.status == ContestStatus.OPEN)
        .with_for_update()).scalars().first()
    if found is not None:
        return found
    return ctx.s.execute(select(CustomerContest).join(Registration, Registration.contest_id == CustomerContest.id)
                         .where(Registration.customer_id == customer.id,
                                Registration.status == RegistrationStatus.PENDING,
                                CustomerContest.status == ContestStatus.OPEN).with_for_update()).scalars().first()


def partner_claim(ctx: Context, contest: CustomerContest | None, partner_id: int) -> Registration | None:
    """The partner's own claim already waiting in the contest."""
    if contest is None:
        return None
    return next((r for r in open_claims(ctx, contest) if r.partner_id == partner_id), None)


def claim(ctx: Context, reg: Registration, resembled: Customer, reason: Verdict) -> ApprovalFlow:
    """Put the registration into the contest on the customer it resembles (one
    is opened if none is) and renew the card. Returns the new flow."""
    # The resembled customer's row lock orders claims on it across workers.
    ctx.s.execute(select(Customer.id).where(Customer.id == resembled.id).with_for_update())
    contest = open_contest_on(ctx, resembled)
    if contest is None:
        contest = CustomerContest(customer_id=resembled.id, status=ContestStatus.OPEN, revision=1,
                                  submitter_id=reg.submitter_id, created_at=ctx.now)
        ctx.s.add(contest)
        ctx.s.flush()
        contest.number = f"CC{ctx.clock.local(ctx.now):%Y%m%d}-{contest.id:04d}"
    reg.contest_id = contest.id
    ctx.s.flush()
    ctx.audit("contest.claim_joined", "customer_contest", contest.number,
              after={"registration": reg.number, "customer": reg.customer_text})
    return renew(ctx, contest, reason)


def renew(ctx: Context, contest: CustomerContest, reason: Verdict | None = None) -> ApprovalFlow | None:
    """The card shows the claims as they are now: the old one becomes a stamp,
    a new one goes out (none when no claim is left, and the contest closes)."""
    had_card = void_flows(ctx, KIND, contest.id, t("contest_void_why", "zh"), (FlowStatus.PENDING,), tell=False,
                          stamp=t("contest_stamp_renewed", "zh"))
    claims = open_claims(ctx, contest)
    if not claims:
        contest.status, contest.decided_at = ContestStatus.DECIDED, ctx.now
        return None
    if had_card:
        contest.revision += 1
    resembled = ctx.s.get(Customer, contest.customer_id)
    reasons = [reason] if reason is not None else [_match_verdict(claims[-1])]
    return start_flow(ctx, KIND, contest, ["area_manager"], [r for r in reasons if r is not None],
                      resembled.region or _claims_region(ctx, claims))


def claim_changed(ctx: Context, reg: Registration) -> bool:
    """A claim was amended, withdrawn or expired: renew its contest's card.
    False when the registration is no claim in an open contest."""
    if reg.contest_id is None:
        return False
    contest = ctx.s.execute(select(CustomerContest).where(CustomerContest.id == reg.contest_id)
                            .with_for_update()).scalar_one()
    if contest.status != ContestStatus.OPEN:
        return False
    renew(ctx, contest)
    return True


def in_open_contest(ctx: Context, reg: Registration) -> bool:
    if reg.contest_id is None:
        return False
    return ctx.s.get(CustomerContest, reg.contest_id).status == ContestStatus.OPEN


def _match_verdict(reg: Registration) -> Verdict | None:
    found = next((v for v in reg.verdicts if v["reason_code"] == "POSSIBLE_DUPLICATE"), None)
    return Verdict(**found) if found else None


def _claims_region(ctx: Context, claims: list[Registration]) -> str | None:
    for reg in claims:
        customer = ctx.s.get(Customer, reg.customer_id)
        if customer is not None and customer.region:
            return customer.region
    return None


class ContestKind(RowSubject):
    """The approval engine's view of a contest (see handlers.approvals.kinds)."""
    model = CustomerContest
    name, prefix, noun = KIND, "CC", "疑似同一客户"

    def payload(self, ctx: Context, contest: CustomerContest) -> dict:
        return {"contest": contest.number, "customer_id": contest.customer_id,
                "claims": [[r.number, r.revision, r.customer_text, list(r.other_names or [])]
                           for r in open_claims(ctx, contest)]}

    def is_open(self, contest: CustomerContest) -> bool:
        return contest.status == ContestStatus.OPEN

    def card(self, ctx: Context, flow: ApprovalFlow, contest: CustomerContest, appr) -> CardView:
        resembled = ctx.s.get(Customer, contest.customer_id)
        claims = open_claims(ctx, contest)
        known = resembled.name + (f"（{resembled.english_name}）" if resembled.english_name else "")
        holder = locks.holder(ctx, resembled.id, ["*"], "customer", 0)
        rows: list[tuple] = [("相似客户", known, ALWAYS)]
        if holder is not None:
            rows.append(("已被报备", f"{holder.partner_name} 至 {ctx.fmt(holder.until, '%Y-%m-%d')}"
                                     f"（{holder.registration_number}）", ESSENTIAL))
        notes: list[str] = []
        for i, reg in enumerate(claims, start=1):
            partner = ctx.s.get(Partner, reg.partner_id)
            names = "／".join([reg.customer_text, *(reg.other_names or [])])
            rows.append((f"报备{i}", f"{partner.name}：{names} · {yuan(reg.amount_yuan)} · {reg.number}", ESSENTIAL))
            match = reg.match or {}
            if match.get("reason"):
                notes.append(f"{reg.number}“{reg.customer_text}”与“{resembled.name}”：{match['reason']}"
                             f"（相似度 {float(match.get('score') or 0):.2f}）")
        rows.append(("怎么判", t("contest_card_how", "zh", customer=resembled.name), ALWAYS))
        codes = dict.fromkeys(v["reason_code"] for reg in claims for v in reg.verdicts
                              if v["outcome"] == NEEDS_APPROVAL and v["reason_code"] in SETTLED_HERE)
        rows.append(("审批原因", "、".join(reason_label(c) for c in codes) or reason_label("POSSIBLE_DUPLICATE"),
                     ALWAYS))
        return CardView(title=t("contest_card_title", "zh", customer=resembled.name),
                        desc=t("contest_card_desc", "zh", n=len(claims), number=contest.number),
                        rows=tuple(rows), note="；".join(notes))

    def approved(self, ctx: Context, flow: ApprovalFlow, contest: CustomerContest, appr) -> None:
        """Not that customer: each claim goes on as a new customer."""
        resembled = ctx.s.get(Customer, contest.customer_id)
        who = ctx.s.get(User, appr.decided_by_id)
        for reg in open_claims(ctx, contest):
            before = snapshot(reg)
            left = [Verdict(**v) for v in reg.verdicts
                    if v["outcome"] == NEEDS_APPROVAL and v["reason_code"] not in SETTLED_HERE]
            dealer = ctx.s.get(User, reg.submitter_id)
            lang = ctx.lang_of(dealer)
            if left:
                nxt = start_flow(ctx, "registration", reg, ["director"], left,
                                 resembled.region or ctx.s.get(Customer, reg.customer_id).region)
                text = t("contest_approved_more", lang, number=reg.number, customer=reg.customer_text,
                         resembled=resembled.name, who=who.name, next=decider_words(ctx, nxt, lang))
            else:
                reg.status, reg.decided_by_id, reg.decided_at = RegistrationStatus.APPROVED, who.id, ctx.now
                reg.lock_until = ctx.now + timedelta(days=ctx.rules.registration.protection_days)
                locks.extend(ctx, reg)
                text = t("contest_approved", lang, number=reg.number, customer=reg.customer_text,
                         resembled=resembled.name, who=who.name, until=ctx.fmt(reg.lock_until, "%Y-%m-%d"))
            reg.updated_at = ctx.now
            ctx.audit("registration.contest_approved", "registration", reg.number, before=before,
                      after=snapshot(reg))
            ctx.send(dealer, Text(text), key=f"contest-decided:{appr.id}:{reg.id}")
        contest.status, contest.decided_at = ContestStatus.DECIDED, ctx.now

    def rejected(self, ctx: Context, flow: ApprovalFlow, contest: CustomerContest, appr, reason: str) -> None:
        """The same customer: every claim is refused."""
        resembled = ctx.s.get(Customer, contest.customer_id)
        for reg in open_claims(ctx, contest):
            before = snapshot(reg)
            reg.status, reg.decided_by_id, reg.decided_at = RegistrationStatus.REJECTED, ctx.user.id, ctx.now
            reg.decision_reason, reg.updated_at = reason, ctx.now
            locks.release(ctx, reg)
            ctx.audit("registration.rejected", "registration", reg.number, before=before, after=snapshot(reg))
            dealer = ctx.s.get(User, reg.submitter_id)
            ctx.send(dealer, Text(t("contest_rejected", ctx.lang_of(dealer), number=reg.number,
                                    customer=reg.customer_text, resembled=resembled.name, who=ctx.user.name,
                                    reason=reason)), key=f"contest-decided:{appr.id}:{reg.id}")
        contest.status, contest.decided_at = ContestStatus.DECIDED, ctx.now
