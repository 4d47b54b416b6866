"""A record's whole story on one page: a registration's evidence (its claim and
server receive time, the verdicts with their facts, every other claim on the
customer, approvals and their stamps, extensions with their visits, visits to
the customer with flags, and the audit events, newest last), an order's, a
special price's; and a customer's timeline."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, g, redirect, render_template, url_for
from sqlalchemy import select

from adapters.console.access import in_area, where_in_area
from adapters.console.env import ConsoleEnv
from models import (
    Approval,
    ApprovalFlow,
    AuditEvent,
    Customer,
    CustomerAlias,
    Order,
    Partner,
    Registration,
    RegistrationExtension,
    SpecialPrice,
    User,
    Visit,
)

VISITS_SHOWN_DAYS = 180


def _flows(s, subject_type: str, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    flows = s.execute(select(ApprovalFlow).where(ApprovalFlow.subject_type == subject_type,
                                                 ApprovalFlow.subject_id.in_(ids)).order_by(ApprovalFlow.id)).scalars()
    out = []
    for flow in flows:
        steps = []
        for a in flow.approvals:
            steps.append({"appr": a, "approver": s.get(User, a.approver_id),
                          "decided_by": s.get(User, a.decided_by_id) if a.decided_by_id else None})
        out.append({"flow": flow, "steps": steps})
    return out


def _audit_of(s, entity_ids: list[str]) -> list[AuditEvent]:
    ids = [str(x) for x in entity_ids if x]
    if not ids:
        return []
    return list(s.execute(select(AuditEvent).where(AuditEvent.entity_id.in_(ids)).order_by(AuditEvent.id)).scalars())


def _visible(s, viewer, query, region_column, partner_column):
    row = s.execute(where_in_area(query, in_area(s, viewer, region_column, partner_column))).first()
    if row is None:
        abort(404)          # not there, or not the viewer's area: the same answer
    return row


def install(bp: Blueprint, env: ConsoleEnv) -> None:
    factory, clock = env.svc.factory, env.svc.clock

    @bp.get("/registrations/<number>")
    def registration(number: str):
        with factory() as s:
            reg, customer = _visible(s, g.viewer, select(Registration, Customer)
                                     .outerjoin(Customer, Customer.id == Registration.customer_id)
                                     .where(Registration.number == number.upper()),
                                     Customer.region, Registration.partner_id)
            claims = []
            if customer is not None:
                claims = s.execute(select(Registration, Partner.name)
                                   .join(Partner, Partner.id == Registration.partner_id)
                                   .where(Registration.customer_id == customer.id)
                                   .order_by(Registration.received_at)).all()
            extensions = list(s.execute(select(RegistrationExtension).where(
                RegistrationExtension.registration_id == reg.id).order_by(RegistrationExtension.id)).scalars())
            flows = _flows(s, "registration", [reg.id]) + _flows(s, "extension", [e.id for e in extensions])
            since = clock.now() - timedelta(days=VISITS_SHOWN_DAYS)
            visits = s.execute(select(Visit, User.name).join(User, User.id == Visit.user_id).where(
                Visit.customer_id == reg.customer_id, Visit.checkin_at >= since)
                .order_by(Visit.checkin_at)).all() if reg.customer_id else []
            task_ids = [step["appr"].task_id for f in flows for step in f["steps"]]
            events = _audit_of(s, [reg.number, *[e.number for e in extensions], *task_ids,
                                   *[f["flow"].subject_ref for f in flows]])
            return render_template("console/registration.html", reg=reg, customer=customer,
                                   partner=s.get(Partner, reg.partner_id), submitter=s.get(User, reg.submitter_id),
                                   claims=claims, extensions=extensions, flows=flows, visits=visits,
                                   events=sorted({e.id: e for e in events}.values(), key=lambda e: e.id))

    @bp.get("/orders/<number>")
    def order(number: str):
        with factory() as s:
            (order,) = _visible(s, g.viewer, select(Order).where(Order.number == number.upper()),
                                Order.ship_to_region, Order.partner_id)
            flows = _flows(s, "order", [order.id])
            sps = list(s.execute(select(SpecialPrice).where(SpecialPrice.order_id == order.id)).scalars())
            events = _audit_of(s, [order.number, *[sp.number for sp in sps],
                                   *[st["appr"].task_id for f in flows for st in f["steps"]]])
            return render_template("console/order.html", order=order, partner=s.get(Partner, order.partner_id),
                                   flows=flows, special_prices=sps, events=events)

    @bp.get("/special-prices/<number>")
    def special_price(number: str):
        with factory() as s:
            sp, customer = _visible(s, g.viewer, select(SpecialPrice, Customer)
                                    .outerjoin(Customer, Customer.id == SpecialPrice.customer_id)
                                    .where(SpecialPrice.number == number.upper()),
                                    Customer.region, SpecialPrice.partner_id)
            flows = _flows(s, "special_price", [sp.id])
            events = _audit_of(s, [sp.number, *[st["appr"].task_id for f in flows for st in f["steps"]]])
            order = s.get(Order, sp.order_id) if sp.order_id else None
            return render_template("console/special_price.html", sp=sp, customer=customer, order=order,
                                   partner=s.get(Partner, sp.partner_id), flows=flows, events=events)

    @bp.get("/customers/<int:customer_id>")
    def customer(customer_id: int):
        with factory() as s:
            c = s.get(Customer, customer_id)
            if c is None:
                abort(404)
            whole = g.viewer.sees_region(c.region)

            def scoped(q, region_column, partner_column):
                """The customer's records the viewer may see: all in their area, else their partners'."""
                return s.execute(q if whole else where_in_area(q, in_area(s, g.viewer, region_column,
                                                                          partner_column))).all()
            regs = scoped(select(Registration, Partner.name).join(Partner, Partner.id == Registration.partner_id)
                          .where(Registration.customer_id == c.id), Customer.region, Registration.partner_id)
            orders = scoped(select(Order, Partner.name).join(Partner, Partner.id == Order.partner_id)
                            .where(Order.customer_id == c.id), Order.ship_to_region, Order.partner_id)
            sps = scoped(select(SpecialPrice, Partner.name).join(Partner, Partner.id == SpecialPrice.partner_id)
                         .where(SpecialPrice.customer_id == c.id), Customer.region, SpecialPrice.partner_id)
            visits = scoped(select(Visit, User.name).join(User, User.id == Visit.user_id)
                            .where(Visit.customer_id == c.id), Customer.region, Visit.partner_id)
            timeline = sorted(
                [("registration", r.received_at, r, p) for r, p in regs]
                + [("order", o.received_at, o, p) for o, p in orders]
                + [("special_price", sp.received_at, sp, p) for sp, p in sps]
                + [("visit", v.checkin_at, v, who) for v, who in visits], key=lambda x: x[1])
            aliases = list(s.execute(select(CustomerAlias).where(CustomerAlias.full_name == c.name)
                                     .order_by(CustomerAlias.alias)).scalars())
            return render_template("console/customer.html", c=c, timeline=timeline, aliases=aliases)

    @bp.get("/extensions/<number>")
    def extension(number: str):
        """An extension request is part of its registration's story."""
        with factory() as s:
            ref = s.execute(select(Registration.number).join(
                RegistrationExtension, RegistrationExtension.registration_id == Registration.id)
                .where(RegistrationExtension.number == number.upper())).scalar()
        if ref is None:
            abort(404)
        return redirect(url_for("console.registration", number=ref))

    @bp.get("/approvals/<task_id>")
    def approval(task_id: str):
        """Where a what-if or an audit row about an approval card leads: its subject."""
        with factory() as s:
            row = s.execute(select(ApprovalFlow.subject_type, ApprovalFlow.subject_ref).join(
                Approval, Approval.flow_id == ApprovalFlow.id).where(Approval.task_id == task_id)).first()
        if row is None:
            abort(404)
        return _subject_redirect(row.subject_type, row.subject_ref)


def _subject_redirect(kind: str, ref: str):
    if kind == "order":
        return redirect(url_for("console.order", number=ref))
    if kind == "special_price":
        return redirect(url_for("console.special_price", number=ref))
    if kind == "extension":
        return redirect(url_for("console.extension", number=ref))
    return redirect(url_for("console.registration", number=ref))
