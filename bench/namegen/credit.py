"""Unified social credit codes (统一社会信用代码, GB 32100-2015) for the generator.

Both check characters are computed as the standards prescribe, so a code is
valid, not merely well-shaped; the division code comes from the caller (see
_Gen.division in gen_customers.py).
"""
from __future__ import annotations

import random

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"    # 31 chars: no I, O, S, V, Z
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_CHARS)}
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26 …
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)           # GB 11714 organisation code


def org_code_check(body8: str) -> str:
    """Check character of a GB 11714 organisation code (letters count A=10 … Z=35)."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, _ORG_WEIGHTS))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def uscc_check(first17: str) -> str:
    """Check character of a unified social credit code (GB 32100-2015, mod 31)."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31]


def make_credit_code(rng: random.Random, kind: str, division: str) -> str:
    """kind: "91" enterprise, "12" public institution, "52" private non-profit."""
    if rng.random() < 0.6:     # codes issued after 2015 carry MA + 7 characters
        body = "MA" + "".join(rng.choice(_USCC_CHARS) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = kind + division + body + org_code_check(body)
    return first17 + uscc_check(first17)
