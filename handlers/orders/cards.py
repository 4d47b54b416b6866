"""How an order reads in the chat: the summary the dealer confirms from (a
markdown detail and a card with 确认 / 取消), the one-line forms, and the
card's life: sent, turned into a stamp, replaced when the order changes."""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from decimal import Decimal

from chat.context import Context
from chat.messages import Button, Card, CardStamp, Markdown, Text
from domain.rules.verdict import NEEDS_APPROVAL, REJECT, WARN
from domain.wording import unit_yuan, yuan
from handlers.orders.checks import evaluate, open_orders_total
from handlers.orders.lines import PriceReads, price_lines, read_prices
from handlers.orders.texts import t
from models import Order, OrderStatus, Partner, Product, Registration, User

TIER_WORD = {"gold": "金牌", "silver": "银牌", "standard": "标准"}
TIER_WORD_EN = {"gold": "gold", "silver": "silver", "standard": "standard"}
CHECK_NAMES = {"order.qualification": "授权", "order.moq": "起订量", "order.pack": "整箱", "order.credit": "信用",
               "order.territory": "区域", "order.stock": "库存"}
# Passes that checked nothing (no stock loaded, the check switched off): not shown as ✅.
NOT_CHECKED = {"STOCK_UNKNOWN", "CREDIT_OFF", "NO_LIMIT_ALLOWED", "CROSS_ALLOWED"}
# How a "needs approval" finding reads for where the order stands.
APPROVAL_SUFFIX = {OrderStatus.DRAFT: "order_approval_suffix_draft",
                   OrderStatus.PENDING_APPROVAL: "order_approval_suffix_pending",
                   OrderStatus.CONFIRMED: "order_approval_suffix_done",
                   OrderStatus.SHIPPED: "order_approval_suffix_done",
                   OrderStatus.DELIVERED: "order_approval_suffix_done"}


def price_source_word(source: str, lang: str = "zh") -> str:
    en = lang == "en"
    if source.startswith("special:"):
        return f"{'special price' if en else '特价'} {source.split(':', 1)[1]}"
    if source.startswith("price_list:partner"):
        return "your own price list" if en else "专属价"
    if source.startswith("price_list:tier:") or source.startswith("tier:"):
        tier = source.rsplit(':', 1)[1]
        return f"{TIER_WORD_EN.get(tier, tier)} tier price" if en else f"{TIER_WORD.get(tier, tier)}价"
    return "list price" if en else "目录价"


def checks_line(verdicts: list[dict]) -> str:
    """✅ 授权·起订量·信用 ⚠️ 区域: what passed, what needs attention, at a glance."""
    ok = [CHECK_NAMES[v["rule_id"]] for v in verdicts
          if v["rule_id"] in CHECK_NAMES and v["outcome"] == "pass" and v["reason_code"] not in NOT_CHECKED]
    attention = [CHECK_NAMES[v["rule_id"]] for v in verdicts
                 if v["rule_id"] in CHECK_NAMES and v["outcome"] in (NEEDS_APPROVAL, WARN, REJECT)]
    return ("✅ " + "·".join(ok) if ok else "") + (" ⚠️ " + "·".join(attention) if attention else "")


@dataclass(frozen=True)
class Known:
    """What placing an order just read under the partner's lock: the policy prices
    and stock of its SKUs, the partner's other open orders. The "change it like
    this" hint checks its quantities against them rather than reading them again."""
    prices: PriceReads
    open_orders: Decimal


def new_task_id(order: Order) -> str:
    return f"so-{order.id}-r{order.revision}-{secrets.token_hex(4)}"


def detail(ctx: Context, order: Order, header_key: str = "order_draft_header", lang: str = "zh",
           known: Known | None = None) -> Markdown:
    lines = [t(header_key, lang, number=order.number)]
    list_total = Decimal(str(order.list_total_yuan))
    for ln in order.lines:
        lines.append(t("order_line", lang, sku=ln.sku, name=ln.name, qty=ln.qty, price=unit_yuan(ln.unit_price),
                       list=unit_yuan(ln.list_price), source=price_source_word(ln.price_source, lang),
                       amount=yuan(ln.amount_yuan, lang)))
    saved = list_total - Decimal(str(order.total_yuan))
    lines.append(t("order_total", lang, total=yuan(order.total_yuan, lang), list=yuan(list_total, lang),
                   saved=yuan(saved, lang)))
    partner = ctx.s.get(Partner, order.partner_id)
    lines.append(t("order_ship_to", lang, ship_to=order.ship_to or partner.address or t("order_default_address", lang),
                   region=order.ship_to_region or t("order_region_unknown", lang)))
    if order.customer_text:
        lines.append(t("order_customer", lang, customer=order.customer_text))
    if order.registration_id:
        deal = ctx.s.get(Registration, order.registration_id)
        lines.append(t("order_deal", lang, number=deal.number, customer=deal.customer_text))
    credit = next((v["facts"] for v in order.verdicts if v["rule_id"] == "order.credit"), None)
    if credit and credit.get("limit") is not None:
        lines.append(t("order_credit", lang, limit=yuan(credit["limit"], lang),
                       receivables=yuan(credit["receivables"], lang), open=yuan(credit["open_orders"], lang),
                       this=yuan(credit["this_order"], lang), exposure=yuan(credit["exposure"], lang)))
    lines += verdict_lines(order)
    if order.status == OrderStatus.DRAFT:
        lines.append(_how_to_go_on(ctx, order, lang, known))
    return Markdown("\n".join(lines))


def _how_to_go_on(ctx: Context, order: Order, lang: str, known: Known | None) -> str:
    """Confirm, change or drop a line: a change is shown only with a quantity
    the checks would accept now (credit, stock, packs), never one that would
    itself be refused."""
    text = t("order_how_to_confirm", lang, number=order.number)
    example = accepted_change(ctx, order, known)
    if example:
        text += t("order_how_to_change", lang, number=order.number, example=example)
    if len(order.lines) > 1:
        text += t("order_how_to_remove", lang, number=order.number, sku=order.lines[-1].sku)
    return text + ("." if lang == "en" else "。")


def accepted_change(ctx: Context, order: Order, known: Known | None = None) -> str | None:
    """"A100*25": a change of the first line's quantity the rules accept now, or None.
    The quantities tried differ only in number: prices, stock and the other open
    orders are read once for all of them (or taken from ``known``)."""
    first = order.lines[0]
    products = {p.sku: p for p in (ctx.s.get(Product, ln.sku) for ln in order.lines)}
    pack = max(1, products[first.sku].pack_size or 1)
    moq = max(1, products[first.sku].moq or 1)
    partner = ctx.s.get(Partner, order.partner_id)
    reads, open_orders = (known.prices, known.open_orders) if known else (None, None)
    for qty in (edit_qty(first.qty, pack), first.qty + pack, first.qty - pack):
        if qty < moq or qty == first.qty or qty <= 0:
            continue
        if reads is None:
            reads = read_prices(ctx.s, ctx.rules.pricing, partner, list(products.values()))
            open_orders = open_orders_total(ctx, partner.id, order.id)
        items = [(products[ln.sku], qty if ln is first else ln.qty) for ln in order.lines]
        lines = price_lines(ctx.s, ctx.rules.pricing, partner, items, reads=reads)
        if not evaluate(ctx, partner, lines, order.ship_to, exclude_order_id=order.id,
                        open_orders=open_orders).rejects:
            return f"{first.sku}*{qty}"
    return None


def verdict_lines(order: Order) -> list[str]:
    """What the checks found that the dealer should see, worded for where the
    order stands: a refused order shows why, not "needs approval after you confirm"."""
    out = []
    for v in order.verdicts:
        message = (v["message"] or "").rstrip("。")
        if not message:
            continue
        if order.status == OrderStatus.REJECTED:
            if v["outcome"] == REJECT:
                out.append(f"❌ {message}。")
        elif v["outcome"] == NEEDS_APPROVAL:
            out.append(f"⚠️ {message}" + t(APPROVAL_SUFFIX.get(order.status, "order_approval_suffix_none"), "zh"))
        elif v["outcome"] == WARN:
            out.append(f"⚠️ {message}。")
    return out


def edit_qty(qty: int, pack_size: int | None) -> int:
    """A quantity for the "change it like this" hint: a few more, in whole packs
    (A100×20 → 25, B200×5 in packs of 5 → 10), so the example is not itself
    refused for the pack size."""
    pack = max(1, pack_size or 1)
    return qty + pack * math.ceil(5 / pack)


def summary_card(ctx: Context, order: Order) -> Card:
    submitter = ctx.s.get(User, order.submitter_id)
    partner = ctx.s.get(Partner, order.partner_id)
    # Every line, then the total and the credit left; a platform with fewer rows
    # keeps the total and the credit, the first lines, and says how many more
    # there are (the detail message above the card lists them all).
    rows: list[tuple] = [(ln.sku, f"{ln.name} {ln.qty}×{unit_yuan(ln.unit_price)}={yuan(ln.amount_yuan)}")
                         for ln in order.lines]
    rows.append(("合计", f"{yuan(order.total_yuan)}（目录价 {yuan(order.list_total_yuan)}）", 2))
    credit = next((v["facts"] for v in order.verdicts if v["rule_id"] == "order.credit"), {})
    if credit.get("limit") is not None:
        rows.append(("信用", t("order_card_credit", "zh", left=yuan(max(credit["limit"] - credit["exposure"], 0))), 2))
    note = "；".join(x for x in (checks_line(order.verdicts),
                                 t("order_card_ship", "zh", region=order.ship_to_region or "未识别")) if x)
    return Card(task_id=order.card_task_id, title=t("order_card_title", "zh", number=order.number),
                desc=f"{partner.name} · {submitter.name}", rows=tuple(rows), more=("其余", "另 {n} 项，见明细"),
                buttons=(Button("confirm", "确认下单", 1), Button("cancel", "取消", 2)), note=note)


def one_line(ctx: Context, order: Order) -> str:
    items = "、".join(f"{ln.sku}×{ln.qty}" for ln in order.lines)
    return (f"> {order.number} {items} {yuan(order.total_yuan)} · {order_status_word(order.status)} · "
            f"{ctx.fmt(order.created_at, '%m-%d')}")


def order_status_word(status: str, lang: str = "zh") -> str:
    return t(f"order_status_{status}", lang) if status else ""


# ---- the card's life ------------------------------------------------------------

def stamp_card(ctx: Context, order: Order, text: str, tag: str) -> None:
    """Turn the summary card into a stamp."""
    if order.card_task_id:
        ctx.reply_or_send(ctx.s.get(User, order.submitter_id), CardStamp(task_id=order.card_task_id, text=text),
                          key=f"order-stamp:{order.card_task_id}:{tag}")


def send_new_card(ctx: Context, order: Order, why: str | None = None) -> None:
    """A fresh summary (the order is a draft again, or was repriced): a new card
    id, so a click on an older card is seen as stale."""
    order.card_task_id = new_task_id(order)
    ctx.s.flush()
    dealer = ctx.s.get(User, order.submitter_id)
    if why:
        ctx.reply_or_send(dealer, Text(why), key=f"order-why:{order.card_task_id}")
    ctx.reply_or_send(dealer, detail(ctx, order), key=f"order-detail:{order.card_task_id}")
    ctx.reply_or_send(dealer, summary_card(ctx, order), key=f"order-card:{order.card_task_id}")


def resend_card(ctx: Context, order: Order, why: str | None) -> None:
    """The order changed while it was a draft: the old card is void, a new one goes out."""
    stamp_card(ctx, order, t("order_stamp_changed", "zh"), "changed")
    send_new_card(ctx, order, why)
