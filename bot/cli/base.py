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
