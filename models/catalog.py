"""The product catalog as the parser and the registration handler see it."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Product


class DbCatalog:
    """Words dealers use for products (SKU, name, aliases, line name) → SKU."""

    def __init__(self, session: Session):
        self.products = {p.sku: p for p in session.execute(select(Product)).scalars()}
        self._words: dict[str, str] = {}
        for p in self.products.values():
            for word in [p.sku, p.name, *(p.aliases or [])]:
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
