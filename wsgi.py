"""WSGI entry point for gunicorn: ``gunicorn -w 4 -b 0.0.0.0:8000 wsgi:app``.

Settings come from the environment (see README); each worker builds its own
app, and the database, not worker memory, holds everything shared.
"""
from bot import create_app

app = create_app()
