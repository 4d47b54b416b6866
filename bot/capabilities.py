"""The capabilities this bot is made of, each installed into the route table
once, in this order (the order of the 帮助 menu). A new capability is a new
package under handlers/ with a routes.py, plus one line here."""
from __future__ import annotations

from chat.registry import Registry
from chat.router import Router
from handlers.appeals import routes as appeals
from handlers.approvals import routes as approvals
from handlers.customers import routes as customers
from handlers.earnings import routes as earnings
from handlers.imports import routes as imports
from handlers.leads import routes as leads
from handlers.orders import routes as orders
from handlers.registration import routes as registration
from handlers.reports import routes as reports
from handlers.rules import routes as rules
from handlers.special_prices import routes as special_prices
from handlers.visits import routes as visits

CAPABILITIES = (registration, orders, special_prices, visits, appeals, leads, earnings, approvals, customers, reports,
                imports, rules)


def build_router() -> Router:
    """A fresh route table with every capability installed, and its router."""
    registry = Registry()
    for capability in CAPABILITIES:
        capability.install(registry)
    return Router(registry)
