"""Key accounts (rules: key_accounts): customers the direct team owns. A
partner's claim on one is no flat refusal: it becomes a co-sell request that
the account's owner, then the area manager, accept (the partner's share is
the rules') or decline with a reason — an approval flow whose first step
names the owner. The direct team's own deals on them (a rep's 报备) are
simply theirs."""
from __future__ import annotations

import functools

from sqlalchemy import select

from chat.context import Context
from domain.matching import analyse
from domain.rules.pipeline import KeyAccount, KeyAccountRules
from models import Customer, User


@functools.lru_cache(maxsize=8)
def _by_key(rules: KeyAccountRules) -> dict[str, KeyAccount]:
    """Each key account under its name's canonical key (the customer matcher's)."""
    return {analyse(a.customer).key: a for a in rules.accounts}


def account_for(ctx: Context, customer: Customer) -> KeyAccount | None:
    return _by_key(ctx.rules.key_accounts).get(customer.name_key)


def owner_of(ctx: Context, account: KeyAccount | None) -> User | None:
    if account is None or not account.owner:
        return None
    return ctx.s.execute(select(User).where(User.external_id == account.owner)).scalar_one_or_none()


def ladder(ctx: Context, key_account: str | None, reason_codes: set[str], role: str) -> list[str | dict]:
    """The approval steps: the key account's owner first when the flow decides
    a co-sell request (and the owner is known), then ``role``."""
    if "KEY_ACCOUNT" not in reason_codes or not key_account:
        return [role]
    account = next((a for a in ctx.rules.key_accounts.accounts if a.customer == key_account), None)
    owner = owner_of(ctx, account)
    return [{"role": "account_owner", "user": owner.external_id}, role] if owner else [role]
