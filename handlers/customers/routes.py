"""What the customers capability answers: 别名 (an admin teaches the matcher a
short name); and for the ops console: a lookup with the matcher, merging two
records of one customer, editing a customer's English name and aliases."""
from __future__ import annotations

from chat.registry import Registry
from domain.language.readers import read_alias
from handlers.customers import aliases, records


def install(registry: Registry) -> None:
    registry.command("unknown", "alias", run=aliases.add_alias, reader=read_alias, words=("别名", "alias"))
    registry.help("> 别名 简称 = 全称　（教会助手一个客户的简称）",
                  "> 别名 <short> = <full name> (teach a customer's short name)", roles=("admin",))
    registry.operation("customers.lookup", records.find_customer)
    registry.operation("customers.merge", records.merge)
    registry.operation("customers.edit_names", records.edit_names)
