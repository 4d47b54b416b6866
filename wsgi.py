"""WSGI entry point for gunicorn: ``gunicorn -w 4 -b 0.0.0.0:8000 wsgi:app``.

Settings come from the environment (see README); each worker builds its own
app, and the database, not worker memory, holds everything shared.
"""
import gc

from bot import create_app

app = create_app()
# What start-up built (the app, the schema's metadata, the rule tables: ~400,000
# objects) lives as long as the process. Frozen, the collector never walks it
# again: a full collection took ~100 ms of a request's time with it. (Collected
# first, so start-up's garbage is freed rather than frozen.)
gc.collect()
gc.freeze()
