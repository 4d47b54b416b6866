"""What every command needs: the settings, read once, and a ready database."""
from __future__ import annotations


def settings():
    from bot.settings import load_settings
    return load_settings()


def database(settings):
    """Engine, session factory and clock, with the schema upgraded and the rules loaded."""
    from bot.app import prepare_database
    from domain.clock import Clock
    from models.db import make_engine, make_session_factory
    clock = Clock(settings.timezone)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    prepare_database(engine, factory, clock, settings)
    return engine, factory, clock


def problem(zh: str, en: str) -> int:
    """Say on stderr, Chinese first, why the command did nothing; the exit code 2."""
    import sys
    print(f"{zh} ({en})", file=sys.stderr)
    return 2


def whole_in(low: int, high: int):
    """An argparse type: a whole number low..high, refused in both languages otherwise."""
    import argparse

    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"应为 {low}–{high} 的整数 (a whole number {low}..{high}): {text[:20]}")
        return value
    return read
