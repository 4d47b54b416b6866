"""Command line (`python -m bot …`): each module adds its commands.

serve · seed-demo · migrate · rules-load · rules-whatif · audit-verify · import · import-template · statements ·
import-customers · scheduler · worker · integration · export-orders · console-login · parse · match
"""
from __future__ import annotations

import argparse
import logging

from bot.cli import console, data, imports, ops, serve, text

COMMAND_MODULES = (serve, data, imports, ops, console, text)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)   # its per-start plugin chatter hides our lines
    logging.getLogger("apscheduler").setLevel(logging.WARNING)   # a line per job run, every few seconds
    parser = argparse.ArgumentParser(prog="python -m bot", description="Qudao 渠道助手")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.add_commands(sub)
    args = parser.parse_args(argv)
    return args.func(args)
