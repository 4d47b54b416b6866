"""The policy price a partner pays: its own price list, else its tier's price
list, else list price less the tier's discount (rule store)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.money import money
from domain.rules.commerce import PricingRules
from models import Partner, PriceListEntry, Product


@dataclass(frozen=True)
class PolicyPrice:
    price: Decimal
    source: str          # "price_list:partner:3" | "price_list:tier:gold" | "tier:gold" | "list"


def policy_prices(s: Session, rules: PricingRules, partner: Partner, products: list[Product]) -> dict[str, PolicyPrice]:
    """One read for all the SKUs of an order."""
    skus = [p.sku for p in products]
    scopes = [f"partner:{partner.id}", f"tier:{partner.tier}"]
    entries = {(e.scope, e.sku): e for e in s.execute(select(PriceListEntry).where(
        PriceListEntry.sku.in_(skus), PriceListEntry.scope.in_(scopes))).scalars()} if skus else {}
    out: dict[str, PolicyPrice] = {}
    discount = rules.discount_for(partner.tier)
    for p in products:
        entry = entries.get((scopes[0], p.sku)) or entries.get((scopes[1], p.sku))
        if entry is not None:
            out[p.sku] = PolicyPrice(money(entry.price_yuan), f"price_list:{entry.scope}")
        elif discount:
            out[p.sku] = PolicyPrice(money(Decimal(str(p.list_price)) * (1 - discount)), f"tier:{partner.tier}")
        else:
            out[p.sku] = PolicyPrice(money(p.list_price), "list")
    return out
