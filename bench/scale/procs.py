"""The processes under test: gunicorn serving Qudao (or the floor app) and
worker processes, and their environment. Every process is started in its own
session and stopped by its own pid/process group."""
from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from bench.scale.env import BENCH_REDIS, PYTHON, ROOT


def worker_command_available(cmd: str) -> bool:
    """True if ``cmd --help`` runs (``python -m bot worker`` exists on this branch)."""
    try:
        out = subprocess.run([*shlex.split(cmd), "--help"], cwd=ROOT, capture_output=True, timeout=60,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0


def default_worker_cmd() -> str:
    return f"{shlex.quote(PYTHON)} -m bot worker"


def bench_rules_file(directory: Path, quota: int | None = None) -> Path:
    """The default rules with the open-registration quota lifted (the issue's runs
    register tens of thousands of customers for three dealers): ``quota`` None
    removes it (``open_quota: null``: nothing is counted), a number sets it (each
    claim counts its partner's open registrations)."""
    src = (ROOT / "config" / "rules" / "default.yaml").read_text(encoding="utf-8")
    lifted = src.replace("open_quota: 100 ", f"open_quota: {'null' if quota is None else quota} ", 1)
    if lifted == src:
        raise RuntimeError("config/rules/default.yaml: open_quota line not found; update bench_rules_file")
    path = directory / "rules-bench.yaml"
    path.write_text(lifted, encoding="utf-8")
    return path


def qudao_env(db_url: str, api_base: str, processing: str, rules_file: Path, extra: dict | None = None) -> dict:
    """The environment of every Qudao process of a part: the bench database and
    Redis, the fake platform API (which turns the simulator off), the mode."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "DINGTALK_", "QUDAO_"))}
    env.update({
        "PYTHONPATH": str(ROOT), "DATABASE_URL": db_url, "REDIS_URL": BENCH_REDIS,
        "WECOM_API_BASE": api_base, "QUDAO_PROCESSING": processing, "QUDAO_SCHEDULER": "off",
        "QUDAO_RULES_FILE": str(rules_file),
        # Requests are built before a run; a long run must not age them out.
        "QUDAO_TIMESTAMP_WINDOW": "3600",
        "QUDAO_SECRET_KEY": "bench-secret-key", "QUDAO_PAGE_SECRET": "bench-page-secret",
    })
    env.update(extra or {})
    return env


class Proc:
    """One child process in its own session; ``stop`` ends its process group."""

    def __init__(self, argv: list[str], env: dict, log: Path, name: str, stop_signal: int = signal.SIGTERM):
        self.name, self.log, self.stop_signal = name, log, stop_signal
        self._fh = open(log, "ab")  # noqa: SIM115 (open while the child writes; closed in stop)
        self.p = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self._fh, stderr=subprocess.STDOUT,
                                  start_new_session=True)

    def alive(self) -> bool:
        return self.p.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, self.stop_signal)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.p.wait(5)
        self._fh.close()


def wait_http(url: str, proc: Proc, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited ({proc.p.returncode}); see {proc.log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{proc.name} did not answer {url} within {timeout:.0f} s; see {proc.log}")


DEPLOY_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def gunicorn(app: str, port: int, env: dict, log: Path, workers: int, threads: int, name: str,
             config: Path | None = None) -> Proc:
    """``gunicorn -w W --threads T`` on 127.0.0.1:port, up when /healthz answers.
    With ``config`` (the repository's deploy/gunicorn.conf.py, where it exists) its
    settings apply, given the same bind/processes/threads through its variables;
    the flags here win either way, so the floor and Qudao run alike."""
    argv = [PYTHON, "-m", "gunicorn"]
    if config is not None and config.exists():
        argv += ["-c", str(config)]
        env = {**env, "QUDAO_BIND": f"127.0.0.1:{port}", "QUDAO_WEB_PROCESSES": str(workers),
               "QUDAO_WEB_THREADS": str(threads)}
    argv += ["-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--keep-alive", "30",
             "--log-level", "warning", app]
    # SIGQUIT: gunicorn's quick shutdown (the measurement is over; no 30 s grace).
    proc = Proc(argv, env, log, name, stop_signal=signal.SIGQUIT)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", proc)
    except BaseException:
        proc.stop()
        raise
    return proc


def workers(cmd: str, n: int, env: dict, log_dir: Path, ready_timeout: float = 90.0) -> list[Proc]:
    """``n`` worker processes, returned once each says it started (``python -m bot
    worker`` prints "worker … started" when its threads run): in production the
    workers are up before a burst comes, so a part must not time their start-up. A
    worker command that never says so is waited for ``ready_timeout``, then used."""
    logs = [log_dir / f"worker-{i}.log" for i in range(n)]
    before = [log.stat().st_size if log.exists() else 0 for log in logs]    # a part before wrote there too
    procs = [Proc(shlex.split(cmd), env, log, f"worker {i}") for i, log in enumerate(logs)]
    deadline = time.monotonic() + ready_timeout
    for proc, offset in zip(procs, before, strict=True):
        while time.monotonic() < deadline and b"started" not in proc.log.read_bytes()[offset:]:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited ({proc.p.returncode}); see {proc.log}")
            time.sleep(0.1)
    return procs
