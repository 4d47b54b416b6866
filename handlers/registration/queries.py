"""我的报备 and 查询 <客户>. Partners see their own registrations in detail and
others' only as "held by another partner until …"; managers see everything."""
from __future__ import annotations

from sqlalchemy import case, or_, select

from chat.context import Context
from chat.messages import Markdown, Text
from domain.rules.pipeline_checks import percent
from domain.rules.words import scope_word
from domain.wording import yuan
from handlers.customers import lookup as customers
from handlers.registration.ownership import acting_partner_id, works_deals
from handlers.registration.progress import stage_of
from handlers.registration.texts import status_word, t
from models import (
    MANAGING_ROLES,
    OPEN_STATUSES,
    ContestStatus,
    CustomerContest,
    JointStatus,
    Partner,
    Registration,
    RegistrationLock,
    RegistrationStatus,
)

LIST_LIMIT = 10


def _line(ctx: Context, reg: Registration, with_partner: bool = False, party: int | None = None) -> str:
    lang = ctx.lang
    until = ctx.fmt(reg.lock_until, "%Y-%m-%d") if reg.lock_until and reg.is_open else ""
    who = f"{ctx.s.get(Partner, reg.partner_id).name} · " if with_partner or reg.partner_id != party else ""
    tail = t("line_until", lang, until=until) if until else ""
    if reg.change_waiting:      # approved on other terms; this change waits
        tail += t("line_change_waiting", lang, amount=yuan(reg.approved_terms["amount_yuan"]))
    return (f"> {reg.number} {who}{reg.customer_text} {'、'.join(reg.product_lines)} {yuan(reg.amount_yuan)}"
            f" · {status_word(reg.status, lang)}{tail}{_progress(ctx, reg, party)}")


def _progress(ctx: Context, reg: Registration, party: int | None) -> str:
    """Where the deal stands: its stage and last follow-up while it is worked,
    what it was won for or why lost once decided, and who sells it with whom."""
    lang = ctx.lang
    if reg.status == RegistrationStatus.WON:
        out = t("line_won", lang, amount=yuan(reg.won_amount_yuan), when=ctx.fmt(reg.closed_at, "%m-%d"))
    elif reg.status == RegistrationStatus.LOST:
        out = t("line_lost", lang, reasons="、".join(reg.lost_reasons or []))
    elif reg.is_open:
        last = reg.last_follow_up_at
        out = f" · {stage_of(ctx.rules.pipeline, reg)} · " + (
            t("line_followed", lang, when=ctx.fmt(last, "%m-%d")) if last else t("line_not_followed", lang))
    else:
        out = ""
    if reg.joint_partner_id is not None and reg.joint_status != JointStatus.DECLINED:
        other = reg.joint_partner_id if reg.partner_id == party else reg.partner_id
        state = t("line_joint_invited", lang) if reg.joint_status == JointStatus.INVITED else ""
        out += t("line_joint", lang, partner=ctx.s.get(Partner, other).name, state=state)
    if reg.partner_share is not None and reg.key_account:
        out += t("line_cosell", lang, share=percent(reg.partner_share))
    return out


def my_registrations(ctx: Context) -> None:
    if not works_deals(ctx):
        return
    party = acting_partner_id(ctx)
    open_first = case((Registration.status.in_(OPEN_STATUSES), 0), else_=1)
    regs = ctx.s.execute(select(Registration).where(or_(Registration.partner_id == party,
                                                        Registration.joint_partner_id == party))
                         .order_by(open_first, Registration.received_at.desc()).limit(LIST_LIMIT)).scalars().all()
    if not regs:
        ctx.reply(Text(t("mine_empty", ctx.lang)))
        return
    header = t("mine_header", ctx.lang, partner=ctx.s.get(Partner, party).name, n=len(regs))
    ctx.reply(Markdown("\n".join([header, *(_line(ctx, r, party=party) for r in regs)])))


def query_customer(ctx: Context, name: str | None) -> None:
    """查询 <客户>: the customer the name means and every known customer it
    resembles (查询 协和: 北京协和医院, 武汉协和医院 …), each with who holds it
    and what waits on it. A name is called free only when nothing it
    resembles is held or waiting."""
    lang = ctx.lang
    if not name:
        ctx.reply(Text(t("query_need_name", lang)))
        return
    found = customers.resembling(ctx.s, name, limit=QUERY_LIMIT)
    if not found:
        # Not "free to register": nothing like it is known, which may be a typo.
        ctx.reply(Text(t("query_not_found", lang, customer=name)))
        return
    staff = ctx.user.role in MANAGING_ROLES
    blocks: list[str] = []
    busy = False
    shown: set[int] = set()
    for match in found:
        lines, taken = _customer_lines(ctx, match, staff, shown)
        busy = busy or taken
        if taken or match.verdict == "duplicate":
            blocks.append("\n".join(lines))
    exact = next((m for m in found if m.verdict == "duplicate"), None)
    if not busy:
        ctx.reply(Text(t("query_none", lang, customer=exact.matched.name) if exact else
                       t("query_none_alike", lang, customer=name,
                         names="、".join(m.matched.name for m in found))))
        return
    if exact is None or len(blocks) > 1:
        blocks.insert(0, t("query_alike_header", lang, customer=name))
        blocks.append(t("query_alike_hint", lang))
    if staff:
        # A manager's view names every holder: for them, not for the group they asked in.
        ctx.reply_private(Markdown("\n".join(blocks)), group_note=t("query_privately", lang,
                                                                    customer=exact.matched.name if exact else name))
        return
    ctx.reply(Markdown("\n".join(blocks)))


QUERY_LIMIT = 6


def _customer_lines(ctx: Context, match, staff: bool, shown: set[int]) -> tuple[list[str], bool]:
    """The lines about one customer, and whether anything holds it or waits on it
    (``shown``: registrations listed already, not listed twice)."""
    lang, cust = ctx.lang, match.matched
    rows = ctx.s.execute(
        select(Registration, RegistrationLock.scope_key)
        .join(RegistrationLock, RegistrationLock.registration_id == Registration.id)
        .where(RegistrationLock.customer_id == cust.id, RegistrationLock.expires_at > ctx.now)
        .order_by(Registration.received_at)).all()
    if match.verdict == "duplicate":
        head = f"**{cust.name}**"
    else:
        head = f"**{cust.name}**" + (t("query_alike_why", lang, why=match.reason) if staff else t("query_alike", lang))
    lines = [head]
    seen: set[int] = set()
    for reg, scope in rows:
        if staff or reg.partner_id == ctx.user.partner_id:
            if reg.id not in seen and reg.id not in shown:
                lines.append(_line(ctx, reg, with_partner=staff, party=reg.partner_id))
                seen.add(reg.id)
        else:
            key = "query_other_pending" if reg.status == RegistrationStatus.PENDING else "query_other"
            lines.append("> " + t(key, lang, scope=scope_word(scope, lang), until=ctx.fmt(reg.lock_until, "%Y-%m-%d")))
    shown |= seen
    waiting = _waiting_lookalikes(ctx, cust)
    listed = [(reg, number) for reg, number in waiting if reg.id not in shown]
    shown |= {reg.id for reg, _ in waiting}
    if staff:
        lines += [t("query_lookalike_claim", lang, line=_line(ctx, reg, with_partner=True)[2:],
                    contest=contest_number) for reg, contest_number in listed]
    else:
        mine = [reg for reg, _ in listed if reg.partner_id == ctx.user.partner_id]
        lines += [t("query_lookalike_claim", lang, line=_line(ctx, reg)[2:], contest="") for reg in mine]
        others = len([reg for reg, _ in waiting if reg.partner_id != ctx.user.partner_id])
        if others:
            lines.append("> " + t("query_lookalike_others", lang, n=others))
    return lines, bool(rows) or bool(waiting)


def _waiting_lookalikes(ctx: Context, customer) -> list[tuple[Registration, str]]:
    """Claims on names like this customer, waiting for the area manager (its open contest)."""
    return list(ctx.s.execute(
        select(Registration, CustomerContest.number)
        .join(CustomerContest, Registration.contest_id == CustomerContest.id)
        .where(CustomerContest.customer_id == customer.id, CustomerContest.status == ContestStatus.OPEN,
               Registration.status == RegistrationStatus.PENDING).order_by(Registration.received_at)).all())
