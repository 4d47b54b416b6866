"""The boards: registrations, approvals waiting (with their SLA state, decided
from the page), orders, visits with their flags and distances, partners with
their quota and credit use. Each reads the models directly, filtered to the
viewer's area (access.py)."""
from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import aliased

from adapters.console import decisions
from adapters.console.access import in_area, partner_ids, where_in_area
from adapters.console.env import ConsoleEnv
from adapters.console.views import int_arg, page_arg
from models import (
    OPEN_ORDER_STATUSES,
    OPEN_STATUSES,
    Approval,
    ApprovalFlow,
    ApprovalStatus,
    Customer,
    FlowStatus,
    Order,
    OrderStatus,
    Partner,
    Product,
    Registration,
    RegistrationStatus,
    User,
    Visit,
    VisitStatus,
)


def _partners_for(s, viewer) -> list[Partner]:
    ids = partner_ids(s, viewer)
    q = select(Partner).order_by(Partner.name)
    if ids is not None:
        q = q.where(Partner.id.in_(ids))
    return list(s.execute(q).scalars())


def _regions_for(s, viewer) -> list[str]:
    if not viewer.all_areas:
        return list(viewer.regions)
    return [r for r in s.execute(select(Customer.region).distinct().where(Customer.region.is_not(None))
                                 .order_by(Customer.region)).scalars()]


def registrations_query(s, viewer, args, now):
    q = (select(Registration, Partner.name.label("partner"), Customer.region.label("region"))
         .join(Partner, Partner.id == Registration.partner_id)
         .outerjoin(Customer, Customer.id == Registration.customer_id))
    q = where_in_area(q, in_area(s, viewer, Customer.region, Registration.partner_id))
    if args.get("status") in RegistrationStatus.__members__.values():
        q = q.where(Registration.status == args["status"])
    partner = int_arg("partner")
    if partner:
        q = q.where(Registration.partner_id == partner)
    if args.get("region"):
        q = q.where(Customer.region == args["region"])
    if args.get("line"):
        # product_lines is a JSON list; its stored text holds the line as json.dumps writes it.
        q = q.where(cast(Registration.product_lines, String).like(f"%{json.dumps(args['line'])}%"))
    days = int_arg("expiring", None, 1, 366)
    if days:
        q = q.where(Registration.status.in_(OPEN_STATUSES), Registration.lock_until > now,
                    Registration.lock_until <= now + timedelta(days=days))
    text = (args.get("q") or "").strip()
    if text:
        q = q.where(or_(Registration.number.ilike(f"%{text}%"), Registration.customer_text.like(f"%{text}%")))
    return q


def install(bp: Blueprint, env: ConsoleEnv) -> None:
    factory, clock = env.svc.factory, env.svc.clock

    @bp.get("/")
    def home():
        return redirect(url_for("console.registrations"))

    @bp.get("/registrations")
    def registrations():
        page, now = page_arg(), clock.now()
        with factory() as s:
            q = registrations_query(s, g.viewer, request.args, now)
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar()
            rows = s.execute(q.order_by(Registration.received_at.desc()).limit(page.size).offset(page.offset)).all()
            lines = sorted(set(s.execute(select(Product.line)).scalars()))
            return render_template("console/registrations.html", rows=rows, total=total, page=page,
                                   partners=_partners_for(s, g.viewer), regions=_regions_for(s, g.viewer),
                                   lines=lines, statuses=list(RegistrationStatus), args=request.args, now=now)

    @bp.get("/approvals")
    def approvals():
        with factory() as s:
            q = (select(Approval, ApprovalFlow, User.name.label("approver"))
                 .join(ApprovalFlow, ApprovalFlow.id == Approval.flow_id)
                 .join(User, User.id == Approval.approver_id)
                 .where(Approval.status == ApprovalStatus.PENDING, ApprovalFlow.status == FlowStatus.PENDING))
            if not g.viewer.all_areas:
                # Its own alias: the outer query has User (the approver) too, and a plain
                # User here would correlate to it, leaving the subquery nothing to select from.
                asker = aliased(User)
                requester = select(asker.partner_id).where(asker.id == ApprovalFlow.requester_id).scalar_subquery()
                q = q.where(or_(in_area(s, g.viewer, ApprovalFlow.region, requester),
                                Approval.approver_id == g.viewer.id))
            rows = s.execute(q.order_by(Approval.created_at)).all()
            rules = env.svc.rules.active(s).approvals
            now = clock.now()
            items = [{"appr": a, "flow": f, "approver": name, "sla": _sla(rules, a, now), "mine": a.approver_id ==
                      g.viewer.id} for a, f, name in rows]
            return render_template("console/approvals.html", items=items, now=now)

    @bp.post("/approvals/<task_id>/decide")
    def decide(task_id: str):
        action = request.form.get("action")
        reason = (request.form.get("reason") or "").strip()
        nonce = request.form.get("nonce") or ""
        if action not in ("approve", "reject") or not nonce:
            abort(400)
        if action == "reject" and not reason:
            flash("驳回需要填写理由。(A reject needs a reason.)", "error")
            return redirect(url_for("console.approvals"))
        with factory() as s:
            if s.execute(select(Approval.id).where(Approval.task_id == task_id)).scalar() is None:
                abort(404)
        answer = decisions.click(env, g.viewer, task_id, action, nonce, reason if action == "reject" else None)
        if not answer.submitted:
            flash("这个操作已经提交过。(Already submitted.)", "info")
        elif not answer.done:
            flash("已提交，正在处理，请稍后刷新。(Submitted; still being processed.)", "info")
        for text in answer.replies:
            flash(text, "bot")
        return redirect(url_for("console.approvals"))

    @bp.get("/orders")
    def orders():
        page = page_arg()
        with factory() as s:
            q = select(Order, Partner.name.label("partner")).join(Partner, Partner.id == Order.partner_id)
            q = where_in_area(q, in_area(s, g.viewer, Order.ship_to_region, Order.partner_id))
            if request.args.get("status") in OrderStatus.__members__.values():
                q = q.where(Order.status == request.args["status"])
            partner = int_arg("partner")
            if partner:
                q = q.where(Order.partner_id == partner)
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar()
            rows = s.execute(q.order_by(Order.received_at.desc()).limit(page.size).offset(page.offset)).all()
            return render_template("console/orders.html", rows=rows, total=total, page=page, args=request.args,
                                   statuses=list(OrderStatus), partners=_partners_for(s, g.viewer))

    @bp.get("/visits")
    def visits():
        page = page_arg()
        with factory() as s:
            q = (select(Visit, User.name.label("visitor"), Customer.name.label("customer"))
                 .join(User, User.id == Visit.user_id).outerjoin(Customer, Customer.id == Visit.customer_id))
            q = where_in_area(q, in_area(s, g.viewer, Customer.region, Visit.partner_id))
            if request.args.get("flagged"):
                q = q.where(cast(Visit.flags, String).like('%"code"%'))
            if request.args.get("status") in VisitStatus.__members__.values():
                q = q.where(Visit.status == request.args["status"])
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar()
            rows = s.execute(q.order_by(Visit.checkin_at.desc()).limit(page.size).offset(page.offset)).all()
            return render_template("console/visits.html", rows=rows, total=total, page=page, args=request.args,
                                   statuses=list(VisitStatus))

    @bp.get("/partners")
    def partners():
        with factory() as s:
            rules = env.svc.rules.active(s)
            listed = _partners_for(s, g.viewer)
            ids = [p.id for p in listed]
            open_regs = dict(s.execute(select(Registration.partner_id, func.count()).where(
                Registration.partner_id.in_(ids), Registration.status.in_(OPEN_STATUSES))
                .group_by(Registration.partner_id)).all()) if ids else {}
            open_orders = dict(s.execute(select(Order.partner_id, func.sum(Order.total_yuan)).where(
                Order.partner_id.in_(ids), Order.status.in_(OPEN_ORDER_STATUSES))
                .group_by(Order.partner_id)).all()) if ids else {}
            rows = []
            for p in listed:
                exposure = Decimal(str(p.receivables_yuan or 0)) + Decimal(str(open_orders.get(p.id) or 0))
                limit = Decimal(str(p.credit_limit_yuan)) if p.credit_limit_yuan is not None else None
                rows.append({"partner": p, "open": open_regs.get(p.id, 0), "quota": rules.registration.open_quota,
                             "open_orders": open_orders.get(p.id) or 0, "exposure": exposure, "limit": limit,
                             "credit_pct": round(float(exposure / limit) * 100) if limit else None})
            return render_template("console/partners.html", rows=rows)


def _sla(rules, appr: Approval, now) -> dict:
    """Where a waiting step stands against the approval SLA (working hours of the rules)."""
    remind_at = rules.ends(rules.remind_after, appr.created_at)
    escalate_at = rules.ends(rules.escalate_after, appr.created_at)
    if appr.overdue_at is not None:
        state = "overdue"
    elif now >= escalate_at:
        state = "escalation_due"
    elif appr.reminded_at is not None or now >= remind_at:
        state = "reminded"
    else:
        state = "on_time"
    return {"state": state, "remind_at": remind_at, "escalate_at": escalate_at}
