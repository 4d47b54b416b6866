"""Loads the demo organisation (config/demo/org.yaml). Idempotent: keyed by natural keys."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.settings import CONFIG_DIR
from domain.clock import Clock
from domain.matching import analyse, region_of
from handlers.customers.search import alias_key, index_customer
from models import ChatGroup, Customer, CustomerAlias, Partner, Product, RebateTarget, User

DEMO_FILE = CONFIG_DIR / "demo" / "org.yaml"


def seed_demo(session: Session, clock: Clock, path: Path = DEMO_FILE) -> dict[str, int]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    partners: dict[str, Partner] = {}
    for p in data["partners"]:
        row = session.execute(select(Partner).where(Partner.name == p["name"])).scalar_one_or_none()
        if row is None:
            # Opening receivables only for a new partner: afterwards they are the ERP's to report.
            row = Partner(name=p["name"], receivables_yuan=p.get("receivables", 0))
            session.add(row)
        row.regions, row.product_lines, row.tier = p["regions"], p["product_lines"], p.get("tier", "standard")
        row.code, row.address, row.credit_limit_yuan = p.get("code"), p.get("address"), p.get("credit_limit")
        partners[p["name"]] = row
    session.flush()
    for u in data["users"]:
        row = session.execute(select(User).where(User.external_id == u["userid"])).scalar_one_or_none()
        if row is None:
            row = User(external_id=u["userid"])
            session.add(row)
        row.name, row.role, row.title = u["name"], u["role"], u.get("title", "")
        row.partner_id = partners[u["partner"]].id if u.get("partner") else None
        row.regions = u.get("regions", [])
    for target in data.get("rebate_targets", []):
        pid = partners[target["partner"]].id
        row = session.execute(select(RebateTarget).where(RebateTarget.program == target["program"],
                                                         RebateTarget.partner_id == pid)).scalar_one_or_none()
        if row is None:
            row = RebateTarget(program=target["program"], partner_id=pid, created_at=clock.now())
            session.add(row)
        row.target_yuan, row.updated_at = Decimal(str(target["target"])), clock.now()
    for g in data.get("groups", []):
        row = session.execute(select(ChatGroup).where(ChatGroup.chat_id == g["chat_id"])).scalar_one_or_none()
        if row is None:
            row = ChatGroup(chat_id=g["chat_id"], created_at=clock.now())
            session.add(row)
        row.title, row.members, row.updated_at = g["title"], list(g.get("members", [])), clock.now()
    for p in data["products"]:
        row = session.get(Product, p["sku"]) or Product(sku=p["sku"])
        row.name, row.line, row.list_price, row.aliases = p["name"], p["line"], p["list_price"], p.get("aliases", [])
        row.moq, row.pack_size, row.cost_yuan, row.active = p.get("moq", 1), p.get("pack_size", 1), p.get("cost"), True
        session.add(row)
    for c in data["customers"]:
        key = analyse(c["name"]).key
        row = session.execute(select(Customer).where(Customer.name_key == key)).scalar_one_or_none()
        if row is None:
            row = Customer(name=c["name"], name_key=key, created_at=clock.now(), source="import")
            session.add(row)
        row.english_name = c.get("english_name")
        row.address = c.get("address")
        row.region = region_of(c.get("address") or "") or region_of(c["name"])
        row.city = analyse(c.get("address") or c["name"]).city
        row.lat, row.lng, row.coord_system = c.get("lat"), c.get("lng"), "gcj02"
        session.flush()
        index_customer(session, row)
        for alias in c.get("aliases", []):
            if session.execute(select(CustomerAlias).where(CustomerAlias.alias == alias)).scalar_one_or_none() is None:
                session.add(CustomerAlias(alias=alias, alias_key=alias_key(alias), full_name=c["name"],
                                          created_by="import", created_at=clock.now()))
    session.flush()
    return {"partners": len(data["partners"]), "users": len(data["users"]), "groups": len(data.get("groups", [])),
            "products": len(data["products"]), "customers": len(data["customers"])}
