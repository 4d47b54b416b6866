"""The pool of trade names (字号) the generator draws from.

Words that contain a place, industry, type, legal or branch word are left out:
the matcher would read them as that word, and two rows the generator thinks are
different organisations could then share a canonical key.
"""
from __future__ import annotations

import random

from .places import place_words
from .tables import CN, FIRST, KNOWN, POOL2, POOL3, SECOND, THIRD


def banned_fragments() -> list[str]:
    """Trade words must not contain these: the parser would read them as place,
    industry, type, legal or branch words and the name would change meaning."""
    from domain.matching.data.lexicon import (
        BRANCH_SUFFIXES,
        INDUSTRY_WORDS,
        LEGAL_SUFFIXES_CN,
        TYPE_WORDS,
    )
    words = set(place_words()) | set(INDUSTRY_WORDS) | set(TYPE_WORDS)
    words |= set(LEGAL_SUFFIXES_CN) | set(BRANCH_SUFFIXES) | {"集团", "中国", "国际"}
    words |= {"北大", "清华", "浙大", "复旦", "吉大", "川大", "中大", "华西", "郑大",
              "苏大", "山大", "重医"}   # institution short forms the parser expands
    return sorted(words)


def trade_pool(seed: int) -> list[str]:
    """A few thousand plausible trade words, popular ones first (see _Gen.trade)."""
    rng = random.Random(f"trade-pool-{seed}")
    banned = set(banned_fragments())
    singles = set("市省区县第" + CN + "百千万亿两")

    def ok(word: str) -> bool:
        # Words are 2-3 characters: checking each substring against a set is
        # enough and far cheaper than scanning every banned fragment.
        subs = {word[i:j] for i in range(len(word)) for j in range(i + 2, len(word) + 1)}
        return not (singles & set(word)) and not (subs & banned)

    pairs = [a + b for a in dict.fromkeys(FIRST) for b in dict.fromkeys(SECOND) if a != b]
    pairs = [p for p in pairs if ok(p)]
    rng.shuffle(pairs)
    two = pairs[:POOL2]
    three = [w + rng.choice(THIRD) for w in rng.sample(two, POOL3)]
    three = [w for w in dict.fromkeys(three) if ok(w) and w[1] != w[2]]
    known = [w for w in KNOWN if ok(w)]
    pool = known + two + three
    rng.shuffle(pool)          # popularity order: a seeded shuffle, known words mixed in
    return list(dict.fromkeys(pool))
