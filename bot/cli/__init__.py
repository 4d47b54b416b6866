"""Command line (`python -m bot …`): each module adds its commands.

serve · seed-demo · migrate · rules-load · rules-whatif · audit-verify · import · import-template · statements ·
import-customers · scheduler · worker · integration · export-orders · console-login · parse · match
"""
from __future__ import annotations

import argparse
import io
import logging
import sys

from bot.cli import console, data, imports, ops, serve, text
from bot.cli.base import problem

COMMAND_MODULES = (serve, data, imports, ops, console, text)
LONG_RUNNING = frozenset({"serve", "worker", "scheduler"})


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)   # its per-start plugin chatter hides our lines
    logging.getLogger("apscheduler").setLevel(logging.WARNING)   # a line per job run, every few seconds
    parser = argparse.ArgumentParser(prog="python -m bot", description="Qudao 渠道助手")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.add_commands(sub)
    if sys.stdin is None:              # started with stdin closed (<&-): it reads as empty
        sys.stdin = io.StringIO()
    argv = sys.argv[1:] if argv is None else argv
    if any("\x00" in arg for arg in argv):
        return problem("参数里有 NUL 字符", "an argument holds a NUL character")
    args = parser.parse_args(argv)
    if args.command in LONG_RUNNING:       # a crash there is a crash: its traceback is wanted
        return args.func(args)
    try:
        return args.func(args)
    except (OSError, ValueError, OverflowError) as exc:
        # A file that can't be written, a value out of range: said, not a traceback.
        logging.getLogger("bot.cli").debug("command failed", exc_info=True)
        print(f"无法完成 (could not be done): {exc}", file=sys.stderr)
        return 2
