"""Shared helpers of ``bench/bench_scale.py`` (issue 16): the machine's facts,
fresh PostgreSQL databases, signed WeCom callbacks, the processes under test
(gunicorn, workers), the load generator and the counting fake platform API."""
