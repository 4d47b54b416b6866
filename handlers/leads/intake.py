"""Leads coming in: typed by a rep or a manager (`线索 北京协和医院 彩超 50万
联系人 张主任 来源 展会`), or posted by another system to `POST /api/v1/leads`
with an integration token (the import of a file writes them the same way,
handlers/imports). A lead is checked (customer, product line, amount), its
region read from the customer, numbered, audited, and handed out at once."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from chat.api import ApiRequest, ApiResponse, ItemError, apply_each, items_of
from chat.context import Context, Services
from chat.messages import Text
from domain.language import Parsed
from domain.matching import region_of
from domain.money import LARGEST_AMOUNT, money
from domain.wording import yuan
from handlers.customers.search import lookup
from handlers.leads.assign import hand_out, snapshot
from handlers.leads.texts import t
from handlers.leads.views import my_leads
from models import Lead, LeadStatus, Role, User
from models.catalog import DbCatalog

MAX_CUSTOMER, MAX_CONTACT, MAX_SOURCE, MAX_NOTE, MAX_REF = 100, 100, 60, 300, 64
MAX_AMOUNT = LARGEST_AMOUNT
MIN_AMOUNT = 1000           # below this a typed amount is surely a missing unit ("50" meant 50万)
_AMOUNT_WORD = re.compile(r"-?[\d.,]+\s*[万元wW]?")
STAFF = (Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN)
_LABELLED = re.compile(r"(联系人|联系方式|来源|contact|source)\s*[:：]?\s*(\S+)", re.IGNORECASE)


class LeadProblem(ValueError):
    def __init__(self, code: str, zh: str, en: str):
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def amount_of(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = money(value)
    except ValueError:
        raise LeadProblem("bad_amount", t("lead_bad_amount", "zh", amount=value),
                          t("lead_bad_amount", "en", amount=value)) from None
    if not Decimal(MIN_AMOUNT) <= amount <= MAX_AMOUNT:
        raise LeadProblem("bad_amount", t("lead_bad_amount", "zh", amount=value),
                          t("lead_bad_amount", "en", amount=value))
    return amount


_TEXT_FIELDS = (("customer", "客户名称"), ("product_line", "产品线"), ("product", "产品"), ("contact", "联系人"),
                ("source", "来源"), ("note", "备注"), ("ref", "编号"))


def checked(ctx: Context, fields: dict) -> dict:
    """The lead's values, or a LeadProblem saying (in both languages) what is wrong."""
    for name, zh in _TEXT_FIELDS:
        # JSON (the leads API) can send a list or an object: stored as its Python repr before.
        value = fields.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
            raise LeadProblem("bad_field", t("lead_not_text", "zh", field=zh), t("lead_not_text", "en", field=name))
    customer = str(fields.get("customer") or "").strip()
    word = str(fields.get("product_line") or fields.get("product") or "").strip()
    amount = amount_of(fields.get("amount_yuan"))
    if not customer or not word or amount is None:
        raise LeadProblem("missing", t("lead_missing", "zh"), t("lead_missing", "en"))
    for name, value, limit, zh in (("customer", customer, MAX_CUSTOMER, "客户名称"),
                                   ("contact", fields.get("contact"), MAX_CONTACT, "联系人"),
                                   ("source", fields.get("source"), MAX_SOURCE, "来源"),
                                   ("note", fields.get("note"), MAX_NOTE, "备注"),
                                   ("ref", fields.get("ref"), MAX_REF, "编号")):
        if value and len(str(value)) > limit:
            raise LeadProblem("too_long", t("lead_too_long", "zh", field=zh, limit=limit),
                              t("lead_too_long", "en", field=name, limit=limit))
    catalog = DbCatalog(ctx.s)
    line = catalog.line_for(word, None)
    if line is None:
        raise LeadProblem("unknown_line", t("lead_unknown_line", "zh", word=word, choices=catalog.choices()),
                          t("lead_unknown_line", "en", word=word, choices=catalog.choices()))
    match = lookup(ctx.s, customer)
    known = match.matched if match.verdict == "duplicate" else None
    region = (known.region if known else None) or region_of(customer)
    return {"customer_text": known.name if known else customer, "customer_id": known.id if known else None,
            "region": region, "product_line": line, "amount_yuan": amount,
            "contact": str(fields.get("contact") or "").strip() or None,
            "source": str(fields.get("source") or "").strip() or "manufacturer",
            "note": str(fields.get("note") or "").strip() or None,
            "external_ref": str(fields.get("ref") or "").strip() or None}


def number_leads(ctx: Context, lead: Lead) -> None:
    lead.number = f"LD{ctx.clock.local(lead.created_at):%Y%m%d}-{lead.id:04d}"


def create(ctx: Context, values: dict, channel: str) -> tuple[Lead, bool]:
    """A new lead (handed out at once), or the one already sent under the same ref."""
    if values.get("external_ref"):
        existing = ctx.s.execute(select(Lead).where(Lead.external_ref == values["external_ref"])).scalar_one_or_none()
        if existing is not None:
            return existing, False
    now = ctx.now
    lead = Lead(**values, channel=channel, status=LeadStatus.NEW, offers=0, created_by=ctx.actor,
                created_at=now, updated_at=now)
    ctx.s.add(lead)
    ctx.s.flush()
    number_leads(ctx, lead)
    ctx.audit("lead.created", "lead", lead.number, after={**snapshot(lead), "channel": channel,
                                                          "source": lead.source, "contact": lead.contact})
    hand_out(ctx, lead, "new")
    return lead, True


def where_it_went(ctx: Context, lead: Lead) -> str:
    if lead.status == LeadStatus.OFFERED:
        return t("lead_where_partner", ctx.lang, partner=lead.partner.name,
                 due=ctx.fmt(lead.due_at, "%Y-%m-%d %H:%M"))
    manager = ctx.s.get(User, lead.manager_id) if lead.manager_id else None
    return t("lead_where_manager", ctx.lang, manager=manager.name if manager else "-")


# ---- typed: 线索 … ---------------------------------------------------------------

def lead_command(ctx: Context, parsed: Parsed) -> None:
    if ctx.user is None or ctx.user.role not in STAFF:
        if ctx.user is not None and ctx.user.partner_id is not None:
            my_leads(ctx)           # a partner's bare "线索": their leads
            return
        ctx.reply(Text(t("lead_staff_only", ctx.lang)))
        return
    text = ctx.inbound.text or ""
    labelled = {m.group(1).lower(): m.group(2) for m in _LABELLED.finditer(text)}
    rest = _LABELLED.sub(" ", text)
    body = ctx.parse(rest)
    fields = {"customer": body.customer or parsed.customer,
              "product": body.products[0].word if body.products else None,
              "amount_yuan": body.amount_yuan if body.amount_yuan is not None else parsed.amount_yuan,
              "contact": labelled.get("联系人") or labelled.get("联系方式") or labelled.get("contact"),
              "source": labelled.get("来源") or labelled.get("source") or f"{ctx.user.name}录入"}
    try:
        if body.amount_doubt or (fields["amount_yuan"] is not None and fields["amount_yuan"] < MIN_AMOUNT):
            raise LeadProblem("bad_amount", t("lead_bad_amount", "zh", amount=_written_amount(text)),
                              t("lead_bad_amount", "en", amount=_written_amount(text)))
        values = checked(ctx, fields)
    except LeadProblem as problem:
        ctx.reply(Text(problem.text(ctx.lang)))
        return
    lead, _ = create(ctx, values, "chat")
    ctx.reply(Text(t("lead_created", ctx.lang, number=lead.number, customer=lead.customer_text,
                     line=lead.product_line, amount=yuan(lead.amount_yuan, ctx.lang),
                     region=lead.region or t("unknown_region", ctx.lang), where=where_it_went(ctx, lead))))


def _written_amount(text: str) -> str:
    found = [m.group() for m in _AMOUNT_WORD.finditer(text) if any(ch.isdigit() for ch in m.group())]
    return found[-1].strip() if found else "?"


# ---- POST /api/v1/leads --------------------------------------------------------------

def api_leads(svc: Services, req: ApiRequest) -> ApiResponse:
    items = items_of(req, "leads")
    return items if isinstance(items, ApiResponse) else apply_each(svc, req, items, _api_one, _api_ref)


def _api_ref(item) -> str | None:
    return (item.get("ref") or item.get("customer")) if isinstance(item, dict) else None


class _Created:
    def __init__(self, lead: Lead, created: bool):
        self.lead, self.created = lead, created

    def to_dict(self) -> dict:
        lead = self.lead
        return {"ref": lead.external_ref, "lead": lead.number, "created": self.created, "status": lead.status,
                "partner": lead.partner.name if lead.partner else None, "region": lead.region,
                "product_line": lead.product_line}


def _api_one(ctx: Context, item) -> _Created:
    if not isinstance(item, dict):
        raise ItemError("bad_item", "each lead is a JSON object")
    try:
        values = checked(ctx, {"customer": item.get("customer"), "product_line": item.get("product_line"),
                               "product": item.get("product"), "amount_yuan": item.get("amount_yuan"),
                               "contact": item.get("contact"),
                               "source": "api" if item.get("source") in (None, "") else item.get("source"),
                               "note": item.get("note"), "ref": item.get("ref")})
    except LeadProblem as problem:
        raise ItemError(problem.code, problem.en) from None
    lead, created = create(ctx, values, "api")
    return _Created(lead, created)
