"""The product catalog as the parser and the registration handler see it.

A command reads it once, in the same statement as the active rule version
(``read_reference``): the products table is small, and one read serves the
parser, the registration handler and the rule store's version check. The
catalog built from the rows is kept per process for as long as the rows read
are the same, so a product imported by any process applies to the next
command of every worker."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from models.org import Product
from models.rules import RuleSet


@dataclass(frozen=True)
class CatalogProduct:
    sku: str
    name: str
    line: str
    aliases: tuple[str, ...] = ()
    active: bool = True


def _row(p) -> CatalogProduct:
    return CatalogProduct(p.sku, p.name, p.line, tuple(p.aliases or ()), bool(p.active))


class DbCatalog:
    """Words dealers use for products (SKU, name, aliases, line name) → SKU."""

    def __init__(self, session: Session | None = None, products: tuple[CatalogProduct, ...] | None = None):
        if products is None:
            products = tuple(_row(p) for p in session.execute(select(Product).order_by(Product.sku)).scalars())
        self.products = {p.sku: p for p in products}
        self._words: dict[str, str] = {}
        for p in self.products.values():
            for word in [p.sku, p.name, *p.aliases]:
                self._words[word.upper()] = p.sku
        self._lines = {p.line for p in self.products.values()}

    def sku_for_word(self, word: str) -> str | None:
        return self._words.get(word.strip().upper())

    def product_words(self):
        return list(self._words) + sorted(self._lines)

    def line_for(self, word: str, sku: str | None) -> str | None:
        if sku and sku in self.products:
            return self.products[sku].line
        found = self.sku_for_word(word)
        if found:
            return self.products[found].line
        return word if word in self._lines else None

    def choices(self) -> str:
        return "、".join(f"{p.name}({p.sku})" for p in self.products.values())


@lru_cache(maxsize=8)
def _catalog_of(products: tuple[CatalogProduct, ...]) -> DbCatalog:
    return DbCatalog(products=products)


# One statement: the active rule version (NULL when none is loaded), joined to
# every product (one row with NULL product columns when there is none).
_ACTIVE_VERSION = (select(func.max(RuleSet.version).label("rules_version"))
                   .where(RuleSet.active.is_(True)).subquery("active_rules"))
_REFERENCE = (select(_ACTIVE_VERSION.c.rules_version, Product.sku, Product.name, Product.line, Product.aliases,
                     Product.active)
              .select_from(_ACTIVE_VERSION).outerjoin(Product, true()).order_by(Product.sku))


def read_reference(session: Session) -> tuple[int | None, DbCatalog]:
    """(the active rule version, the catalog), in one read: plain rows through the
    session's connection, since the ORM's result machinery was most of this read's
    CPU (the flush does what the session's autoflush would: nothing, when clean)."""
    session.flush()
    rows = session.connection().execute(_REFERENCE).all()
    version = rows[0].rules_version if rows else None
    return version, _catalog_of(tuple(_row(r) for r in rows if r.sku is not None))
