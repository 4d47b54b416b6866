"""Every kind of import by its command-line name, in the order a new
deployment loads them (later kinds refer to earlier ones)."""
from __future__ import annotations

from handlers.imports.customers import Customers
from handlers.imports.kind import Kind
from handlers.imports.leads import Leads
from handlers.imports.partners import Partners
from handlers.imports.plans import Plans
from handlers.imports.prices import Prices
from handlers.imports.products import Products
from handlers.imports.stock import Stock
from handlers.imports.targets import Targets
from handlers.imports.users import Users

KINDS: dict[str, Kind] = {k.name: k for k in (Products(), Partners(), Users(), Prices(), Stock(), Customers(),
                                              Plans(), Leads(), Targets())}


def kind_named(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown kind {name!r}; one of {', '.join(KINDS)}") from None
