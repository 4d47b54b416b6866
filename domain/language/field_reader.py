"""The reader of field lists: "北京协和医院 心内科 彩超2台 80万 12月底", "A100*20 收货地址：…".

Field extraction works by *claiming* spans of the message body, most
specific reader first: labelled fields, reference numbers, organisation and
department tokens, dates, discounts, SKU items, catalog product words,
amounts, loose quantities. Each claim masks its span so a later, looser
reader cannot reuse it (the "2" of "2台" is never money, "超声" inside
"超声科" is never a product). Whatever is left over is a candidate customer.

How the claims become fields depends on the command (its
:class:`FieldOptions`): order lines, special-price lines, whether free words
may name the customer, whether missing deal fields are listed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from domain.matching.regions import is_place_text

from .amounts import find_amounts
from .catalog import catalog_words, safe_sku, word_pattern
from .commands import MAX_FIELD_TEXT
from .dates import find_dates
from .discounts import find_discounts
from .entities import has_cjk, is_department, is_filler, is_org, looks_like_note, split_org_department
from .fields import TOKEN_RE, scan_fields
from .items import REF_RE, REMOVE_GAP_RE, REMOVE_LIST_RE, REMOVE_RE, SKU_SHAPE, find_quantities, find_skus, find_words
from .schema import BadQuantity, Catalog, OrderItem, Parsed, ProductMention
from .vocabulary import Reader

_MASK = "\x00"
_PIECE_SPLIT = re.compile(r"[\x00,;、。:!?\n]+")
# "查一下北京协和医院有没有人报过": the question glued to the name is not part of it.
_QUESTION_TAIL = re.compile(
    r"(?:(?:现在|目前)?(?:有没有|有无|是否|是不是|有)?(?:别人|其他人|其他伙伴|人|谁)?(?:已经?|被)?"
    r"(?:报备|报|登记)(?:过|了)*(?:没有|没|吗|么|呢)?|(?:能|可以|可不可以|能不能)(?:报备|报)(?:吗|么|呢)?"
    r"|(?:的)?(?:报备)?(?:情况|状态)(?:如何|怎么样)?|(?:怎么样|如何))[?？!！。\s]*$")


@dataclass(frozen=True)
class FieldOptions:
    """How one command reads its field list."""
    # "order": SKU lines with quantities, removals, address and remark;
    # "special_price": lines plus a unit price and a free-text reason; None: a deal or a lookup
    lines: Literal["order", "special_price"] | None = None
    free_customer: bool = False     # unlabelled free words may name the customer
    question_tail: bool = False     # "…有没有人报过" after the name is a question, not the name
    ask_missing: bool = False       # list the deal fields still missing (customer, product, amount)


@dataclass
class _Claim:
    start: int
    end: int
    kind: str
    value: Any
    labelled: bool = False


class _Scan:
    """The message body plus which parts have been claimed by a reader."""

    def __init__(self, text: str) -> None:
        self.body = text
        self._chars = list(text)
        self.claims: list[_Claim] = []
        self.has_customer = False  # a customer/org was claimed (decides 部/中心 = department)

    def masked(self) -> str:
        return "".join(self._chars)

    def claim(self, start: int, end: int, kind: str, value: Any, labelled: bool = False) -> bool:
        if end <= start or _MASK in "".join(self._chars[start:end]):
            return False
        self._chars[start:end] = _MASK * (end - start)
        self.claims.append(_Claim(start, end, kind, value, labelled))
        self.has_customer = self.has_customer or kind in ("customer", "org")
        return True

    def first(self, kind: str, labelled: bool | None = None) -> _Claim | None:
        found = [c for c in self.claims if c.kind == kind and (labelled is None or c.labelled == labelled)]
        return min(found, key=lambda c: c.start) if found else None

    def all(self, kind: str) -> list[_Claim]:
        return sorted((c for c in self.claims if c.kind == kind), key=lambda c: c.start)


def _claim_org_or_dept(scan: _Scan, start: int, text: str, end: int | None = None) -> None:
    """Classify one token as customer/department (or leave it) and claim it.

    ``end`` is given when the span is longer than ``text`` (a spaced-off alias).
    """
    end = start + len(text) if end is None else end
    split = split_org_department(text)
    if split and split[1].endswith(("科", "室")):
        org, dept = split
        scan.claim(start, start + len(org), "org", org)
        scan.claim(start + len(org), end, "dept", dept)
    elif is_org(text):
        if scan.has_customer and is_department(text, after_customer=True):
            scan.claim(start, end, "dept", text)
        else:
            scan.claim(start, end, "org", text)
    elif is_department(text, after_customer=scan.has_customer):
        scan.claim(start, end, "dept", text)


# At most this many spaced-out pieces make one name: 北京 协和 医院.
_MAX_SPACED_PIECES = 5
# A slash that keeps its meaning: a rate ("80万/台") or a date ("12/31").
_SLASH_KEPT = re.compile(r"(?<=[0-9])/(?=[0-9])|/(?=[台套个件支盒只组次年月天人床])")


def _slashes_apart(text: str) -> str:
    if "/" not in text:
        return text
    kept = {m.start() for m in _SLASH_KEPT.finditer(text)}
    return "".join(" " if ch == "/" and i not in kept else ch for i, ch in enumerate(text))
CN_NUMERAL = re.compile(r"[一二三四五六七八九十百千万亿两零〇]")


def _spaced_name(masked: str, toks: list, i: int, pattern: str | None) -> int | None:
    """"北京 协和 医院": Chinese pieces split by spaces that together end like an
    organisation (none of them one on its own, a product word or a number).
    Returns the index of the last piece, or None."""
    first = toks[i].group()
    if is_org(first) or not _pure_cjk(first, pattern):
        return None
    # "北京 协和医院": a place joins the name after it; anything else only pieces
    # that are no name on their own ("九五折 北京协和医院" stays apart).
    place_first = is_place_text(first) is not None
    if not place_first and (find_discounts(first) or find_dates(first, date(2000, 1, 1)) or CN_NUMERAL.search(first)):
        return None
    joined = first
    for j in range(i + 1, min(len(toks), i + _MAX_SPACED_PIECES)):
        gap = masked[toks[j - 1].end():toks[j].start()]
        piece = toks[j].group()
        if gap.strip(" ") or not _pure_cjk(piece, pattern) or (is_org(piece) and not place_first):
            return None
        joined += piece
        if is_org(joined):
            return j
    return None


def _pure_cjk(piece: str, pattern: str | None) -> bool:
    if not re.fullmatch(r"[\u3400-\u9fff]+", piece) or is_filler(piece) or looks_like_note(piece):
        return False
    return not (pattern and re.fullmatch(pattern, piece))


def _entity_pass(scan: _Scan, pattern: str | None) -> None:
    masked = scan.masked()
    toks = list(TOKEN_RE.finditer(masked))
    skip_to = -1
    for i, m in enumerate(toks):
        if i <= skip_to:
            continue
        text = m.group()
        if not has_cjk(text):
            continue
        last = _spaced_name(masked, toks, i, pattern)
        if last is not None:
            joined = "".join(t.group() for t in toks[i:last + 1])
            if scan.claim(m.start(), toks[last].end(), "org", joined):
                skip_to = last
                continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        # "协和医院 (东单院区)": a spaced-off bracketed alias belongs to the name.
        if nxt is not None and nxt.group().startswith("(") and not masked[m.end():nxt.start()].strip(" ") \
                and is_org(text):
            _claim_org_or_dept(scan, m.start(), text + nxt.group(), nxt.end())
        else:
            _claim_org_or_dept(scan, m.start(), text)


# An English legal name, its commas and dots included: "Huawei Technologies Co., Ltd.",
# "Siemens Healthineers AG", "Acme Medical, Inc.".
_LATIN_LEGAL_NAME = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9&'.\-]*(?:[ \t]+[A-Za-z0-9&'.()\-]+){0,8}?,?[ \t]*"
    r"(?:Co\.?,?[ \t]*Ltd\.?|Co\.?,?[ \t]*Limited|Company[ \t]+Limited|Ltd\.?|Limited|Inc\.?|Incorporated|"
    r"Corp\.?|Corporation|LLC|PLC|GmbH|AG|S\.A\.|B\.V\.)(?![A-Za-z0-9])")


def _latin_legal_names(scan: _Scan) -> None:
    for m in _LATIN_LEGAL_NAME.finditer(scan.masked()):
        name = m.group().strip()
        if len(name.split()) >= 2:
            scan.claim(m.start(), m.end(), "org", name)


def _remark_pass(scan: _Scan) -> None:
    """A registration's remark ("主任说下周招标", "客户说 预算已经批了"): from its
    first word to the end of the line, before dates or quantities are read out
    of it. Money in it stays readable (it may be the deal's only amount)."""
    masked = scan.masked()
    for m in TOKEN_RE.finditer(masked):
        if not looks_like_note(m.group()):
            continue
        end = masked.find("\n", m.start())
        end = len(masked) if end < 0 else end
        claimed = masked.find(_MASK, m.start(), end)
        end = end if claimed < 0 else claimed
        if find_amounts(masked[m.start():end]):
            if find_amounts(m.group()):
                return          # "主任说预算80万": the leftover words become the note
            end = m.end()
        scan.claim(m.start(), end, "remark", masked[m.start():end].strip())
        return


def _leftover_pass(scan: _Scan) -> None:
    masked = scan.masked()
    pos = 0
    for part in _PIECE_SPLIT.split(masked):
        start = masked.find(part, pos) if part else pos
        pos = start + len(part)
        if not part.strip():
            continue
        if has_cjk(part):
            pieces = [(start + m.start(), m.group()) for m in re.finditer(r"\S+", part)]
        else:
            stripped = part.strip()
            pieces = [(start + part.find(stripped), stripped)]
        for p_start, piece in pieces:
            if is_filler(piece):
                continue
            before = len(scan.claims)
            _claim_org_or_dept(scan, p_start, piece)
            if len(scan.claims) == before:
                scan.claim(p_start, p_start + len(piece), "free", piece)


def _extract(body: str, today: date, catalog: Catalog, options: FieldOptions) -> _Scan:
    # "客户=北京协和医院", "金额 = 80万": an equals sign after a label is its colon;
    # "北京协和医院/心内科/彩超/80万" lists fields with slashes (not "80万/台", not 12/31).
    body = _slashes_apart(body.replace("=", ":"))
    scan = _Scan(body)
    pattern = word_pattern(catalog_words(catalog))
    for f in scan_fields(body, today, pattern):
        scan.claim(f.start, f.end, f.kind if f.value is not None else "label", f.value, labelled=True)
    for m in REF_RE.finditer(scan.masked()):
        scan.claim(m.start(), m.end(), "ref", m.group("ref").upper())
    _entity_pass(scan, pattern)
    if options.ask_missing:
        _remark_pass(scan)
    for d in find_dates(scan.masked(), today):
        scan.claim(d.start, d.end, "date", d.value)
    for disc in find_discounts(scan.masked()):
        scan.claim(disc.start, disc.end, "discount", disc.factor)
    if options.lines == "order":
        for r in REMOVE_RE.finditer(scan.masked()):
            scan.claim(r.start(), r.end(), "remove", None)
    for s in find_skus(scan.masked(), allow_bare_qty=options.lines == "order"):
        scan.claim(s.start, s.end, "sku", (s.code, s.qty, s.bad_qty))
    for w in find_words(scan.masked(), pattern):
        scan.claim(w.start, w.end, "product", (w.word, w.qty, w.bad_qty))
    for a in find_amounts(scan.masked()):
        scan.claim(a.start, a.end, "amount", (a.value, a.explicit, a.doubt))
    for q in find_quantities(scan.masked()):
        scan.claim(q.start, q.end, "qty_each" if q.each else "qty", q.qty)
    _latin_legal_names(scan)
    _leftover_pass(scan)
    return scan


def _amount_value(claim: _Claim | None) -> float | None:
    if claim is None:
        return None
    value = claim.value[0] if isinstance(claim.value, tuple) else claim.value
    return float(value)


def _pick_amount(scan: _Scan) -> _Claim | None:
    labelled = scan.first("amount", labelled=True)
    if labelled:
        return labelled
    free = scan.all("amount")
    explicit = [c for c in free if isinstance(c.value, tuple) and c.value[1]]
    return explicit[0] if explicit else (free[0] if free else None)


def _doubt(claim: _Claim | None) -> str | None:
    return claim.value[2] if claim is not None and isinstance(claim.value, tuple) and len(claim.value) > 2 else None


@dataclass
class _Entry:
    word: str
    sku: str | None
    qty: int | None
    is_code: bool
    bad_qty: str | None = None
    removed: bool = False      # named after a removal word ("删除 B200")


def _products(scan: _Scan, catalog: Catalog, pattern: str | None, body: str) -> list[_Entry]:
    """The products in text order, loose quantities attached."""
    entries: list[_Entry] = []
    pending: int | None = None
    removing_from: int | None = None       # end of the removal word (or of a product it named)
    gap = REMOVE_GAP_RE
    events = sorted((c for c in scan.claims if c.kind in ("product", "sku", "qty", "qty_each", "remove")),
                    key=lambda c: c.start)
    for c in events:
        if c.kind == "remove":
            removing_from, gap = c.end, REMOVE_GAP_RE
            continue
        if c.kind == "qty_each":
            for e in entries:
                if e.qty is None and e.bad_qty is None:
                    e.qty = c.value
            continue
        if c.kind == "qty":
            target = next((e for e in reversed(entries) if e.qty is None and e.bad_qty is None), None)
            if target is not None:
                target.qty = c.value
            else:
                pending = c.value
            continue
        word, qty, bad = (*c.value, None)[:3]       # labelled fields carry (word, qty)
        removed = removing_from is not None and gap.fullmatch(body, removing_from, c.start) is not None
        removing_from, gap = (c.end, REMOVE_LIST_RE) if removed else (None, gap)
        is_code = c.kind == "sku" or bool(SKU_SHAPE.fullmatch(word))
        if is_code:
            word = word.upper()
        elif c.labelled:
            # A labelled product may be a catalog word with extra text around it.
            hits = find_words(word, pattern)
            if len(hits) == 1 and hits[0].end - hits[0].start == len(word):
                word = hits[0].word
        if qty is None and bad is None and pending is not None:
            qty, pending = pending, None
        entries.append(_Entry(word, safe_sku(catalog, word), qty, is_code, bad, removed))
    return entries


def _notes(scan: _Scan, kinds: tuple[str, ...]) -> str | None:
    parts = [str(c.value) for kind in kinds for c in scan.all(kind) if c.value]
    return "；".join(parts) if parts else None


def _fill_fields(parsed: Parsed, scan: _Scan, catalog: Catalog, pattern: str | None,
                 options: FieldOptions) -> None:
    lines = options.lines
    labelled_customer = scan.first("customer", labelled=True)
    # A name that reads as a remark ("主任说下周招标的那家医院") is no candidate.
    orgs = [c for c in scan.all("org") if not looks_like_note(c.value)]
    frees = [c for c in scan.all("free") if not looks_like_note(c.value)]
    remarks = [c for c in scan.all("org") + scan.all("free") if looks_like_note(c.value)] + scan.all("remark")
    taken: _Claim | None = None
    if labelled_customer:
        parsed.customer = str(labelled_customer.value)
    elif orgs:
        taken = orgs[0]
        parsed.customer = taken.value
        names = list(dict.fromkeys(c.value for c in orgs))
        if len(names) > 1:
            parsed.candidates = names
    elif frees and options.free_customer:
        taken = frees[0]
        parsed.customer = taken.value
    if options.ask_missing:
        # A registration: words after its fields are a note ("客户说预算已经批了"), kept with it.
        remarks += [c for c in frees if c is not taken]
    if options.question_tail and parsed.customer:
        parsed.customer = _QUESTION_TAIL.sub("", parsed.customer).strip() or parsed.customer
    dept = scan.first("department", labelled=True) or scan.first("dept")
    parsed.department = dept.value if dept else None

    entries = _products(scan, catalog, pattern, scan.body)
    if lines is not None:
        for e in entries:
            code = e.word if e.is_code else e.sku
            if e.removed:
                parsed.removed.append(code or e.word)
                continue
            if e.bad_qty is not None:
                parsed.bad_quantities.append(BadQuantity(e.word, code, e.bad_qty))
                continue
            if code and e.qty:
                parsed.items.append(OrderItem(code, e.qty))
                if lines == "order":
                    continue
            parsed.products.append(ProductMention(e.word, e.sku, e.qty))
    else:
        parsed.products = [ProductMention(e.word, e.sku, e.qty) for e in entries]

    if lines == "special_price":
        price = scan.first("unit_price", labelled=True)
        free_amount = scan.first("amount", labelled=False)
        parsed.unit_price = _amount_value(price) if price else _amount_value(free_amount)
        total = scan.first("amount", labelled=True)
        parsed.amount_yuan = _amount_value(total)
    else:
        picked = _pick_amount(scan)
        parsed.amount_yuan = _amount_value(picked)
        parsed.amount_doubt = _doubt(picked)
        price = scan.first("unit_price", labelled=True)
        parsed.unit_price = _amount_value(price)
    disc = scan.first("discount", labelled=True) or scan.first("discount")
    parsed.discount = float(disc.value) if disc else None
    when = scan.first("date", labelled=True) or scan.first("date")
    parsed.close_date = when.value if when else None
    ref = scan.first("ref", labelled=True) or scan.first("ref")
    parsed.ref = ref.value if ref else None
    partner = scan.first("partner", labelled=True)
    parsed.co_partner = str(partner.value) if partner else None

    parsed.note = _notes(scan, ("address", "note") if lines == "order" else ("note",))
    if options.ask_missing and remarks:
        said = " ".join(str(c.value) for c in sorted(remarks, key=lambda c: c.start))
        parsed.note = f"{parsed.note}；{said}" if parsed.note else said
    if lines == "order":
        parsed.address = _notes(scan, ("address",))
        parsed.remark = _notes(scan, ("note",))
    if lines == "special_price" and parsed.note is None:
        # An unlabelled reason ("特价 A100 9800 竞品压价") is free text, not a customer.
        extra = [c.value for c in scan.all("free") if c.value != parsed.customer]
        parsed.note = " ".join(extra) or None

    if options.ask_missing:
        if not parsed.customer:
            parsed.missing.append("customer")
        if not parsed.products:
            parsed.missing.append("product")
        if parsed.amount_yuan is None:
            parsed.missing.append("amount")




def fields_reader(options: FieldOptions) -> Reader:
    """A reader of field lists for one command."""
    def read(parsed: Parsed, body: str, today: date, catalog: Catalog) -> None:
        scan = _extract(body[:MAX_FIELD_TEXT], today, catalog, options)
        _fill_fields(parsed, scan, catalog, word_pattern(catalog_words(catalog)), options)
    return read
