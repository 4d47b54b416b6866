"""Result types of the message parser.

These are the contract other modules (handlers, models) code against, so they
live apart from the parsing logic and carry no behaviour beyond data.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class ProductMention:
    word: str  # the product word as found ("彩超", "监护仪"); SKU-like codes upper-cased ("A100")
    sku: str | None  # resolved SKU when the catalog knows the word, else None
    qty: int | None  # "彩超2台" -> 2; absent -> None


@dataclass(frozen=True)
class BadQuantity:
    """A product named with something in its count's place that is no count:
    "A100*1.5", "B200*0", "C300*-5". Kept as typed so the answer can quote it."""
    word: str  # as found, SKU-like codes upper-cased
    sku: str | None  # resolved SKU when the catalog knows the word
    text: str  # "1.5", "0", "-5"


@dataclass(frozen=True)
class OrderItem:
    sku: str  # upper-cased code as typed, e.g. "A100"
    qty: int


@dataclass
class Parsed:
    intent: str  # the command's intent, as its capability registered it ("unknown": none)
    action: str | None = None  # a refinement of the intent ("amend", "mine" …)
    customer: str | None = None  # for action "alias": the full name
    # register: every organisation name the message holds when it holds more than one
    # (the handler asks which one is meant); empty otherwise
    candidates: list[str] = field(default_factory=list)
    department: str | None = None  # 心内科, 设备科 …
    products: list[ProductMention] = field(default_factory=list)  # register; order/special: codes without qty
    amount_yuan: float | None = None  # always yuan
    # Why the amount may not be the deal's total: "range" (80-100万), "per_unit"
    # (80万/台), "negative" (-80万). The handler asks rather than guess.
    amount_doubt: str | None = None
    items: list[OrderItem] = field(default_factory=list)  # order / special price lines with a quantity
    # Order / special price: products whose count is no whole positive number (never rounded).
    bad_quantities: list[BadQuantity] = field(default_factory=list)
    # Order changes: products to drop ("删除 B200", "去掉监护仪"), codes upper-cased or words as found.
    removed: list[str] = field(default_factory=list)
    close_date: date | None = None  # expected signing/closing date
    ref: str | None = None  # number referred to: registration "RG…", order "SO…", special price "SP…"
    co_partner: str | None = None  # register: the second partner of a joint registration ("合作 北京华信")
    # Free text: visit-note body, special-price/extension/withdrawal reason,
    # order ship-to address (+ 备注), alias short name; for a registration the
    # 备注 and the words after its fields ("客户说预算已经批了"). Normalised text
    # (half-width punctuation, simplified characters).
    note: str | None = None
    # Orders: the same note split in two, the ship-to address and the rest (备注).
    address: str | None = None
    remark: str | None = None
    unit_price: float | None = None  # special price: 单价 9800
    discount: float | None = None  # 8折 -> 0.8, 九五折 -> 0.95
    missing: list[str] = field(default_factory=list)  # register only: of "customer", "product", "amount"
    plan_date: date | None = None  # plan: the day of the visits (None: not said, the handler decides)
    customers: list[str] = field(default_factory=list)  # plan: customers to visit, in the order written
    target: str | None = None  # approval: who takes over (user name or id, "张伟", "director")
    date_from: date | None = None  # approval delegate: first day, inclusive
    date_to: date | None = None  # approval delegate: last day, inclusive
    # plan / delegate: date-shaped text that names no real day ("2月30日"), as written
    bad_date: str | None = None


@runtime_checkable
class Catalog(Protocol):
    """Product vocabulary supplied by the caller (the real product table)."""

    def sku_for_word(self, word: str) -> str | None: ...

    def product_words(self) -> Iterable[str]: ...
