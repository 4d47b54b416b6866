"""Free-text message parser for the Qudao chat bot.

``parse_message`` turns one chat message (报备 / 订货 / 特价 / 签到 / …) into a
:class:`Parsed` record; ``parse_amount`` and ``parse_close_date`` are usable
on their own. Pass a :class:`Catalog` to resolve product words to SKUs.
"""
from .amounts import parse_amount
from .catalog import DefaultCatalog
from .dates import parse_close_date
from .parser import intent_of, parse_message
from .schema import Catalog, OrderItem, Parsed, ProductMention

__all__ = [
    "Catalog",
    "DefaultCatalog",
    "OrderItem",
    "Parsed",
    "ProductMention",
    "intent_of",
    "parse_amount",
    "parse_close_date",
    "parse_message",
]
