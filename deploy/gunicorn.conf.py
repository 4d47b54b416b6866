"""gunicorn settings for Qudao's web processes (``gunicorn -c deploy/gunicorn.conf.py wsgi:app``).

QUDAO_BIND            where to listen, comma-separated (default 127.0.0.1:8000; behind nginx)
QUDAO_WEB_PROCESSES   worker processes (default 2: about one per core)
QUDAO_WEB_THREADS     threads per process (default 4: the ack waits on the database, not the CPU)

The web processes only acknowledge (verify, decrypt, parse the XML, one INSERT);
with QUDAO_PROCESSING=workers they never run a command, so a short timeout is right.
"""
import os

bind = [b.strip() for b in os.environ.get("QUDAO_BIND", "127.0.0.1:8000").split(",") if b.strip()]
workers = int(os.environ.get("QUDAO_WEB_PROCESSES", "2"))
threads = int(os.environ.get("QUDAO_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 30              # a request stuck this long is a bug; WeCom gives up after 5 s anyway
graceful_timeout = 20     # SIGTERM: requests under way finish, new ones go to the other processes
keepalive = 5             # behind nginx's upstream keepalive
max_requests = 50_000     # renew processes now and then (memory), staggered
max_requests_jitter = 5_000
accesslog = os.environ.get("QUDAO_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("QUDAO_LOG_LEVEL", "info")
proc_name = "qudao-web"
