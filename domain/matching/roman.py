"""Names across scripts: an English or pinyin name (Beijing Xiehe Hospital,
Peking University First Hospital), a mixed one (北京Xiehe医院) and a Chinese
one, read on one footing.

A name's *reading* is where it is — its place chain, each place as the
pinyin of its short name (beijing; guangdong > guangzhou > panyu) — and what
it is called, as letters: the pinyin of its Chinese words, its English words
as the pinyin of the words they translate (lexicon.LATIN_PHRASES: Hospital →
yiyuan, University → daxue, First → di1), legal forms left out.  From the
end of the letters the institution type is read (yiyuan → 医院, renminyiyuan
→ 人民医院) and before it the ordinal (di1); what remains is the body.  Two
readings are judged like two Chinese names (``roman_judge``): branch, place,
type, ordinal, then the body.

Pinyin has no tones and reads a heteronym one way (朝阳医院 → zhaoyang), so a
Latin body is also matched against the Chinese characters with every reading
of each (长治 is Changzhi as well as Zhangzhi).  Official English names that
translate freely (Peking Union Medical College Hospital) are not readable
this way: a customer's stored English name is compared as a name of its own.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import product

from pypinyin import Style, lazy_pinyin, pinyin

from .bodies import trade_name
from .data.lexicon import (
    GENERIC_BODIES,
    GROUP_TOKENS_LATIN,
    GROUP_WORDS_CN,
    LATIN_BRANCH_WORDS,
    LATIN_INDUSTRY_WORDS,
    LATIN_OF_PHRASES,
    LATIN_ORDINALS,
    LATIN_PARENT_WORDS,
    LATIN_PHRASES,
    LATIN_PLACE_SUFFIXES,
    LATIN_STOP_WORDS,
    LATIN_WHOLE_NAMES,
    LEGAL_SUFFIXES_CN,
    LEGAL_TOKENS_LATIN,
    TYPE_WORDS,
)
from .data.regions_cn import LATIN_COUNTRY_WORDS, LATIN_EXTRA, SHORT_NEEDS_SUFFIX
from .model import Parsed
from .parse import parse
from .regions import _INDEX, CITY, DISTRICT, PROVINCE, display, scan_places
from .text import has_cjk, simplify

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_HAN = re.compile(r"[\u3007\u3400-\u9fff]")
_BRACKET = re.compile(r"\(([^()]*)\)")
_TOKEN = re.compile(r"[A-Z0-9&]+|[\u3007\u3400-\u9fff]+")
_NUMBERED = re.compile(r"^(\d+)(?:ST|ND|RD|TH)$")
_ORDINAL_TAIL = re.compile(r"di(\d+)$")
_PINYIN_DIGITS = {"er": 2, "san": 3, "si": 4, "wu": 5, "liu": 6, "qi": 7, "ba": 8, "jiu": 9}
_SPELT_ORDINAL = re.compile(r"(?<!di)(er|san|si|wu|liu|qi|ba|jiu)$")
_MAX_PHRASE = max(len(p.split()) for p in LATIN_PHRASES)
_PHRASES = {tuple(p.split()): letters for p, letters in LATIN_PHRASES.items()}


def letters_of(text: str) -> str:
    """协和医院 → xieheyiyuan; Latin letters and digits kept in lower case,
    anything else dropped.  ü is written u (Funü/Funu/Funv are one)."""
    return _letters(text)


@lru_cache(maxsize=16384)   # bounded: every worker holds one
def _syllables(text: str) -> tuple[str, ...]:
    """One lower-case reading per character of an all-Chinese text (phrases read
    as pypinyin reads them: 重庆 chongqing), else one per run of other characters."""
    return tuple(s.lower().replace("ü", "u").replace("v", "u")
                 for s in lazy_pinyin(text, style=Style.NORMAL, errors="default"))


@lru_cache(maxsize=16384)   # bounded: every worker holds one
def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", "".join(_syllables(text)))


def _prefix_letters(whole: str, part: str) -> str:
    """letters_of(part) for a start of ``whole``, from whole's readings (no second pypinyin call)."""
    syllables = _syllables(whole)
    if whole.startswith(part) and len(syllables) == len(whole):
        return re.sub(r"[^a-z0-9]", "", "".join(syllables[:len(part)]))
    return letters_of(part)


def _pinyin_table(words) -> tuple[tuple[str, str], ...]:
    """(letters, word) longest letters first."""
    table = {letters_of(w): w for w in words}
    return tuple(sorted(table.items(), key=lambda kv: -len(kv[0])))


_TYPE_LETTERS = _pinyin_table(set(TYPE_WORDS))
_LEGAL_LETTERS = tuple(x for x, _ in _pinyin_table(set(LEGAL_SUFFIXES_CN) | set(GROUP_WORDS_CN)))
_GENERIC_LETTERS = frozenset(letters_of(b) for b in GENERIC_BODIES)


def _stem(name: str) -> str:
    short = display(name)
    for suffix in ("特别行政区", "自治区", "自治州", "新区", "地区", "盟", "区", "县", "市", "省"):
        if short.endswith(suffix) and len(short) - len(suffix) >= 2:
            return short[: -len(suffix)]
    return short


@lru_cache(maxsize=4096)
def place_letters(name: str) -> str:
    """A place as its reading compares it: 北京市 → beijing, 番禺区 → panyu."""
    return letters_of(_stem(name))


def _spellings(stem: str) -> set[str]:
    """Every toneless reading of a place's short name (长治 → changzhi, zhangzhi)."""
    options = [sorted({r.replace("ü", "u").replace("v", "u") for r in group}) or [ch]
               for ch, group in zip(stem, pinyin(stem, style=Style.NORMAL, heteronym=True))]
    spelt = {"".join(choice).upper() for choice in product(*options[:8])} if len(options) <= 8 else set()
    return spelt | {letters_of(stem).upper()}


@dataclass(frozen=True)
class _Where:
    level: int
    chain: tuple[str | None, str | None, str | None]   # letters per level
    needs_parent: bool = False     # a district: only right after its city


@lru_cache(maxsize=1)
def _latin_places() -> dict[str, tuple[_Where, ...]]:
    """Spelling (upper case, no spaces) → the places it may be.  Built on
    first use from the gazetteer (pypinyin is slow to load)."""
    found: dict[str, set[_Where]] = {}
    for cands in _INDEX.values():
        for c in cands:
            stem = _stem(c.name)
            if len(stem) < 2:
                continue
            chain = (place_letters(c.province) if c.province else None,
                     place_letters(c.city) if c.city and c.level >= CITY else None,
                     place_letters(c.name) if c.level == DISTRICT else None)
            where = _Where(c.level, chain, c.level == DISTRICT)
            for spelt in _spellings(stem):
                found.setdefault(spelt, set()).add(where)
            for spelt in (s for s, name in LATIN_EXTRA.items() if name == c.name):
                found.setdefault(spelt, set()).add(replace(where, needs_parent=False))
    return {k: tuple(v) for k, v in found.items()}


_INSTITUTION_WORDS = frozenset({"HOSPITAL", "YIYUAN", "UNIVERSITY", "COLLEGE", "CLINIC", "CENTER", "CENTRE",
                                "INSTITUTE", "SCHOOL", "ACADEMY"})
_SUFFIX_NEEDED = frozenset(s for stem in SHORT_NEEDS_SUFFIX for s in _spellings(stem))


@dataclass(frozen=True)
class Reading:
    chain: tuple[str | None, str | None, str | None]   # place letters: province, city, district
    letters: str            # body + ordinal + type: what the index files a name under
    body: str               # the letters without type and ordinal ("" for a generic name)
    inst: str | None        # the type word read from the end (医院, 人民医院 …)
    ordinal: str | None
    branch: str | None
    han: str | None         # the Chinese body, for matching a Latin body reading by reading
    latin: bool             # written in Latin letters only
    head: str = ""          # a Latin name's first own word (union of Peking Union …): what a shorter form keeps
    trade: str = ""         # a company's trade name, industry words left out (huawei of Huawei Technologies)

    @property
    def place(self) -> str:
        return next((x for x in reversed(self.chain) if x), "")

    @property
    def level(self) -> int:
        return max((i + 1 for i, x in enumerate(self.chain) if x), default=0)


def _strip_places(letters: str, chain) -> str:
    changed = True
    while changed:
        changed = False
        for spelt in chain:
            if spelt and letters.startswith(spelt) and len(letters) > len(spelt):
                letters, changed = letters[len(spelt):], True
    return letters


def _finish(chain, letters: str, branch: str | None, han: str | None, latin: bool, head: str = "",
            trade: str = "") -> Reading:
    changed = True
    while changed:
        changed = False
        for legal in _LEGAL_LETTERS:
            if letters.endswith(legal) and len(letters) > len(legal):
                letters, changed = letters[: -len(legal)], True
                break
    letters = _strip_places(letters, chain).replace("fushu", "")    # 附属 / Affiliated: written or not
    inst = None
    rest = letters
    for spelt, word in _TYPE_LETTERS:
        if rest.endswith(spelt):
            inst, rest = word, rest[: -len(spelt)]
            break
    ordinal = None
    spelt_number = _SPELT_ORDINAL.search(rest) if inst == "医院" else None
    if spelt_number and len(rest) > len(spelt_number.group(1)):
        rest = rest[: spelt_number.start()] + f"di{_PINYIN_DIGITS[spelt_number.group(1)]}"   # 湘雅二医院
    m = _ORDINAL_TAIL.search(rest) or re.search(r"di(\d+)", rest)
    if m:
        ordinal = m.group(1)
        rest = rest[: m.start()] + rest[m.end():]
    body = "" if rest in _GENERIC_LETTERS else rest
    trade = _strip_places(trade, chain) if trade else ""
    return Reading(tuple(chain), letters, body, inst, ordinal, branch, han, latin, head,
                   trade if trade and trade != body else "")


def from_parsed(p: Parsed) -> Reading:
    """The reading of a name the Chinese parser has read.  Only the places it
    starts with count (as for its key): a Latin name is read the same way."""
    leading = bool(p.parts.key.split("|", 1)[0])
    chain = tuple(place_letters(x) if x and leading else None for x in p.chain)
    han = p.body
    for place in p.places:
        for spelt in (place.raw, display(place.name), _stem(place.name)):
            if spelt and han.startswith(spelt) and len(han) > len(spelt):
                han = han[len(spelt):]
    trade = _prefix_letters(p.core, trade_name(p.body)) if p.inst_type is None and p.body else ""
    return _finish(chain, letters_of(p.core), _branch_of(p.branch_key), han, p.latin, trade=trade)


# A branch as its reading compares it: where, and what kind.
_BRANCH_KINDS = (("支行", "subbranch"), ("分理处", "subbranch"), ("分行", "branch"), ("分公司", "branch"),
                 ("分部", "branch"), ("办事处", "branch"), ("营业部", "branch"), ("分店", "branch"),
                 ("分中心", "branch"), ("分所", "branch"), ("院区", "campus"), ("分院", "campus"),
                 ("校区", "campus"))


def _branch_of(branch_key: str | None) -> str | None:
    """(北京市) → (beijing); 北京市分行 → beijingbranch; 东院 → dongyuan."""
    if not branch_key:
        return None
    inner = branch_key.strip("()")
    scan = scan_places(inner)
    where = "".join(place_letters(p.name) for p in scan.places[-1:])
    rest = inner[scan.end:]
    if branch_key.startswith("(") and not rest:
        return f"({where})"
    kind = next((k for word, k in _BRANCH_KINDS if rest.endswith(word) and rest[: -len(word)] == ""), None)
    return where + (kind or letters_of(rest))


# --- Latin and mixed names ------------------------------------------------------

def _fold_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _place_at(tokens: list[str], i: int, chain: list[str | None]) -> tuple[_Where, int] | None:
    """The place spelled by tokens[i:i+k] (k ≤ 3) that fits the chain read so far."""
    index = _latin_places()
    for k in (3, 2, 1):
        if i + k > len(tokens):
            continue
        spelt = "".join(tokens[i:i + k])
        if not spelt.isalpha() or len(spelt) < 4 or spelt in LATIN_COUNTRY_WORDS:
            continue
        cands = [w for w in index.get(spelt, ()) if _fits(w, chain)]
        if not cands:
            continue
        nxt = tokens[i + k] if i + k < len(tokens) else ""
        if spelt in _SUFFIX_NEEDED and not any(chain) and nxt not in LATIN_PLACE_SUFFIXES:
            # Zhongshan, Chaoyang: a city only with its suffix (bare Jilin is still the province)
            cands = [w for w in cands if w.level == PROVINCE]
            if not cands:
                continue
        # The widest reading wins (Hebei is the province, not Tianjin's 河北区);
        # one spelling of two places of a level (Suzhou: 苏州, 宿州) keeps what they share.
        level = min(w.level for w in cands)
        top = [w for w in cands if w.level == level]
        shared = tuple(top[0].chain[j] if all(w.chain[j] == top[0].chain[j] for w in top) else None
                       for j in range(3))
        return _Where(level, shared), i + k
    return None


def _fits(where: _Where, chain: list[str | None]) -> bool:
    if where.needs_parent and (not chain[1] or chain[1] != where.chain[1]):
        return False
    if any(chain) and where.level <= max(j + 1 for j, x in enumerate(chain) if x):
        return False          # no going back up, no second city
    return all(not (x and y and x != y) for x, y in zip(chain, where.chain))


def _merge(chain: list[str | None], where: _Where) -> None:
    for j, x in enumerate(where.chain):
        if x:
            chain[j] = x


_OF_PHRASES = tuple(sorted((tuple(p.split()) for p in LATIN_OF_PHRASES), key=len, reverse=True))


def _protect(tokens: list[str]) -> list[str]:
    """Phrases that hold "of" but are one part of a name (School of Medicine,
    Hospital of Traditional Chinese Medicine) become one token first."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase in _OF_PHRASES:
            if tuple(tokens[i:i + len(phrase)]) == phrase:
                out.append("§" + LATIN_PHRASES[" ".join(phrase)])
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _parent_first(tokens: list[str]) -> list[str]:
    """Zhongshan Hospital (,) Fudan University → Fudan University Zhongshan
    Hospital: a parent written after the hospital goes in front of it."""
    last = max((i for i, tok in enumerate(tokens) if tok in ("HOSPITAL", "YIYUAN")), default=-1)
    tail = tokens[last + 1:]
    if last < 1 or not tail or not (set(tail) & LATIN_PARENT_WORDS or any(t.startswith("§") for t in tail)):
        return tokens
    return tail + tokens[:last + 1]


def _reorder(tokens: list[str]) -> list[str]:
    """The First Hospital of X University → X University First Hospital:
    Chinese names put the owner first."""
    parts: list[list[str]] = [[]]
    for tok in tokens:
        if tok in ("OF", "TO") and parts[-1]:
            parts.append([])
        else:
            parts[-1].append(tok)
    return [tok for part in reversed(parts) for tok in part]


def _words_to_letters(tokens: list[str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        for k in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
            phrase = tuple(tokens[i:i + k])
            if phrase in _PHRASES:
                out.append(_PHRASES[phrase])
                i += k
                break
        else:
            numbered = _NUMBERED.match(tok)
            if tok.startswith("§"):
                out.append(tok[1:])
            elif tok in LATIN_ORDINALS:
                out.append(f"di{LATIN_ORDINALS[tok]}")
            elif numbered:
                out.append(f"di{int(numbered.group(1))}")
            elif tok in ("NO", "NUMBER") and i + 1 < len(tokens) and tokens[i + 1].isdigit():
                out.append(f"di{int(tokens[i + 1])}")
                i += 1
            elif tok == "DI" and i + 1 < len(tokens) and f"DI{tokens[i + 1]}" in LATIN_ORDINALS:
                out.append(f"di{LATIN_ORDINALS['DI' + tokens[i + 1]]}")
                i += 1
            elif tok not in LATIN_STOP_WORDS:
                out.append(tok.lower())
            i += 1
    return "".join(out).replace("v", "u")


def _tokens(text: str) -> list[str]:
    """Upper-case words; Chinese characters as the pinyin of each."""
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if _HAN.match(tok):
            out.extend(s.upper() for s in lazy_pinyin(tok, style=Style.NORMAL) if s)
        else:
            out.append(tok)
    return out


def _from_script(raw: str, whole: bool = True) -> Reading:
    simp = simplify(_fold_accents(raw)).text
    latin = not has_cjk(simp)
    known = _whole_name(simp) if latin and whole else None
    if known is not None:
        return replace(from_parsed(parse(known)), latin=True)
    chain: list[str | None] = [None, None, None]
    branch: str | None = None
    # Bracket contents: a place or a branch is kept as the branch, anything else is another name.
    for m in _BRACKET.finditer(simp):
        inside = m.group(1).strip()
        words = _tokens(inside)
        where = _place_at(words, 0, [None, None, None]) if words else None
        if where and where[1] == len(words):
            branch = f"({where[0].chain[where[0].level - 1]})"
        elif any(w in LATIN_BRANCH_WORDS for w in words) or re.search(r"分行|支行|分公司|院区|分院", inside):
            branch = letters_of(inside)
    text = _BRACKET.sub(" ", simp)
    if has_cjk(text) and _HAN.match(text):
        scan = scan_places(text)
        for place in scan.places:
            for j, x in enumerate((place.province, place.city if place.level >= CITY else None,
                                   place.name if place.level == DISTRICT else None)):
                if x:
                    chain[j] = place_letters(x)
        text = text[scan.end:]
    tokens = _tokens(text)
    if tokens and tokens[0] == "THE":
        tokens = tokens[1:]
    while tokens and (tokens[-1] in LEGAL_TOKENS_LATIN or tokens[-1] in GROUP_TOKENS_LATIN):
        tokens = tokens[:-1]
    # … Beijing Branch: the branch first, before "of" turns the name around.
    if tokens and tokens[-1] in LATIN_BRANCH_WORDS:
        k = len(tokens) - 1
        while k > 0 and tokens[k - 1] in LATIN_BRANCH_WORDS:
            k -= 1
        kind = "subbranch" if "SUB" in tokens[k:] or "SUBBRANCH" in tokens[k:] else (
            "campus" if "CAMPUS" in tokens[k:] else "branch")
        for start in range(max(0, k - 3), k):
            where = _place_at(tokens, start, [None, None, None])
            if where and where[1] == k:
                branch = f"{where[0].chain[where[0].level - 1]}{kind}"
                tokens = tokens[:start]
                break
    tokens = _parent_first(_reorder(_protect(tokens)))
    i = 0
    if not any(chain):
        while i < len(tokens):
            found = _place_at(tokens, i, chain)
            if found is None:
                break
            _merge(chain, found[0])
            i = found[1]
            while i < len(tokens) and tokens[i] in LATIN_PLACE_SUFFIXES:
                i += 1
    rest = tokens[i:]
    # A place at the very end: where a company is (Lenovo Beijing = 联想(北京)), or
    # just where an institution is (Union Hospital, Beijing = 北京协和医院).
    if len(rest) > 1 and branch is None:
        for start in range(max(1, len(rest) - 3), len(rest)):
            where = _place_at(rest, start, [None, None, None])
            if where and where[1] == len(rest):
                if not any(chain) and set(rest[:start]) & _INSTITUTION_WORDS:
                    _merge(chain, where[0])
                else:
                    branch = f"({where[0].chain[where[0].level - 1]})"
                rest = rest[:start]
                break
    own = [t for t in rest if t not in LATIN_STOP_WORDS and (t,) not in _PHRASES and t not in LATIN_ORDINALS
           and t.isalpha()]
    head = own[0].lower() if own and latin and len(own[0]) >= 4 else ""
    trade = [t for t in rest if t not in LATIN_INDUSTRY_WORDS]
    return _finish(chain, _words_to_letters(rest), branch, None, latin, head,
                   _words_to_letters(trade) if len(trade) < len(rest) else "")


def _whole_name(simp: str) -> str | None:
    """The Chinese name of a well-known official English name (lexicon.LATIN_WHOLE_NAMES)."""
    words = re.findall(r"[A-Z0-9]+", simp)
    if words and words[0] == "THE":
        words = words[1:]
    while words and (words[-1] in LEGAL_TOKENS_LATIN or words[-1] in GROUP_TOKENS_LATIN):
        words = words[:-1]
    return LATIN_WHOLE_NAMES.get(" ".join(words))


def is_latinish(text: str) -> bool:
    """Does the name (outside brackets) hold a Latin word: English, pinyin, mixed?"""
    return _LATIN_WORD.search(_BRACKET.sub("", simplify(text).text)) is not None


@lru_cache(maxsize=8192)   # bounded: every worker holds one
def read_script(raw: str) -> Reading:
    """The reading of a name written (partly) in Latin letters."""
    return _from_script(raw)


def reading_of(name: str) -> Reading:
    """Any name's reading: Latin and mixed names as written, Chinese ones as parsed."""
    return read_script(name) if is_latinish(name) else from_parsed(parse(name))


def readings_of(name: str) -> list[Reading]:
    """reading_of, and for a well-known English name (lexicon.LATIN_WHOLE_NAMES)
    also its word-by-word reading: a customer is filed under both."""
    first = reading_of(name)
    if not is_latinish(name):
        return [first]
    literal = _from_script(name, whole=False)
    return [first] if literal == first else [first, literal]
