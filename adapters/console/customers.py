"""Customers: search with the matcher (the verdict and reason the chat would
give) and by name; an admin merges two records of one customer and edits a
customer's English name and aliases. The work is the customers capability's
(named operations); the page only asks and shows."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from sqlalchemy import or_, select

from adapters.console.auth import admin_only
from adapters.console.env import ConsoleEnv
from adapters.console.views import int_arg, refused
from chat import operations
from chat.operations import Refused
from models import Customer

LISTED = 50


def install(bp: Blueprint, env: ConsoleEnv) -> None:
    svc = env.svc

    @bp.get("/customers")
    def customers():
        q = (request.args.get("q") or "").strip()
        match, rows, problem = None, [], None
        if q:
            try:
                match = operations.call(svc, "customers.lookup", g.viewer.external_id, name=q)
            except Refused as exc:
                problem = exc
            with svc.factory() as s:
                rows = list(s.execute(select(Customer).where(or_(
                    Customer.name.like(f"%{q}%"), Customer.english_name.ilike(f"%{q}%"),
                    Customer.credit_code == q.upper()))
                    .order_by(Customer.name).limit(LISTED)).scalars())
        return render_template("console/customers.html", q=q, match=match, rows=rows, problem=problem)

    @bp.post("/customers/<int:customer_id>/names")
    @admin_only
    def customer_names(customer_id: int):
        aliases = (request.form.get("aliases") or "").replace("，", "\n").replace(",", "\n").splitlines()
        try:
            operations.call(svc, "customers.edit_names", g.viewer.external_id, customer_id=customer_id,
                            english_name=request.form.get("english_name"), aliases=aliases)
            flash("已保存英文名和别名。(English name and aliases saved.)", "ok")
        except Refused as exc:
            refused(exc)
        return redirect(url_for("console.customer", customer_id=customer_id))

    @bp.post("/customers/<int:customer_id>/merge")
    @admin_only
    def customer_merge(customer_id: int):
        other = int_arg("other")
        if other is None:
            flash("请填写要并入的客户编号。(Give the number of the customer to merge in.)", "error")
            return redirect(url_for("console.customer", customer_id=customer_id))
        try:
            result = operations.call(svc, "customers.merge", g.viewer.external_id, keep_id=customer_id,
                                     drop_id=other)
            moved = result["moved"]
            flash(f"已合并：报备 {moved['registrations']}、订单 {moved['orders']}、拜访 {moved['visits']} "
                  f"条记录已转入，别名：{'、'.join(result['aliases']) or '无'}。(Merged.)", "ok")
        except Refused as exc:
            refused(exc)
        return redirect(url_for("console.customer", customer_id=customer_id))
