"""The load generator: replays whole HTTP requests prepared beforehand.

Runs in a process of its own (``python -m bench.scale.load SPEC.json``) so the
orchestrator's work never slows it, on asyncio with raw keep-alive sockets
(no client library in the measured loop):

- closed loop: C connections, each sends its next request when the previous
  answer is in (what wrk does): requests/s, latency per request;
- open loop: request i is due at start + i / rate, whatever the server does;
  its latency counts from that due time (so queueing in front of a slow
  server is measured, not hidden: no coordinated omission); connections are
  opened as needed up to a cap.

The requests file: each request as a 4-byte big-endian length and its bytes.
The result (JSON) has every latency in ms, the status counts and the times."""
from __future__ import annotations

import asyncio
import json
import struct
import sys
import time
from collections import Counter


def write_requests(path: str, requests: list[bytes]) -> None:
    with open(path, "wb") as fh:
        for r in requests:
            fh.write(struct.pack(">I", len(r)))
            fh.write(r)


def read_requests(path: str) -> list[bytes]:
    out = []
    with open(path, "rb") as fh:
        data = fh.read()
    i = 0
    while i < len(data):
        (n,) = struct.unpack_from(">I", data, i)
        out.append(data[i + 4:i + 4 + n])
        i += 4 + n
    return out


class Conn:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.used = 0

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def _once(self, req: bytes) -> int:
        if self.writer is None:
            await self.open()
        self.writer.write(req)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, close = 0, False
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            k = k.strip().lower()
            if k == b"content-length":
                length = int(v)
            elif k == b"connection" and v.strip().lower() == b"close":
                close = True
        if length:
            await self.reader.readexactly(length)
        self.used += 1
        if close:
            self.close()
        return status

    async def request(self, req: bytes, timeout: float) -> int:
        """The status; a kept-alive connection the server closed meanwhile is
        reopened and the request sent again (it never reached the server)."""
        reused = self.writer is not None and self.used > 0
        try:
            return await asyncio.wait_for(self._once(req), timeout)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            self.close()
            if reused and not (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                return await asyncio.wait_for(self._once(req), timeout)
            raise
        except BaseException:
            self.close()
            raise


async def closed_loop(host: str, port: int, requests: list[bytes], connections: int, timeout: float) -> dict:
    lat: list[float] = []
    statuses: Counter = Counter()
    errors: Counter = Counter()
    it = iter(enumerate(requests))

    async def worker():
        conn = Conn(host, port)
        for _i, req in it:
            t0 = time.perf_counter()
            try:
                status = await conn.request(req, timeout)
            except Exception as exc:  # counted, never fatal
                errors[type(exc).__name__] += 1
                continue
            lat.append((time.perf_counter() - t0) * 1000)
            statuses[status] += 1
        conn.close()

    start = time.time()
    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - t0
    return {"mode": "closed", "start": start, "elapsed_s": elapsed, "sent": len(requests),
            "latencies_ms": lat, "statuses": {str(k): v for k, v in statuses.items()}, "errors": dict(errors)}


async def open_loop(host: str, port: int, requests: list[bytes], rate: float, max_connections: int,
                    timeout: float) -> dict:
    lat: list[float] = []
    due_s: list[float] = []          # each answered request's due time, from the start (where slow ones bunch)
    statuses: Counter = Counter()
    errors: Counter = Counter()
    idle: asyncio.Queue[Conn] = asyncio.Queue()
    opened = 0
    late_starts = 0

    async def one(req: bytes, due: float):
        nonlocal opened
        if idle.empty() and opened < max_connections:
            opened += 1
            conn = Conn(host, port)
        else:
            conn = await idle.get()
        try:
            status = await conn.request(req, timeout)
            lat.append((time.perf_counter() - due) * 1000)
            due_s.append(due - t0)
            statuses[status] += 1
        except Exception as exc:
            errors[type(exc).__name__] += 1
        finally:
            idle.put_nowait(conn)

    start = time.time()
    t0 = time.perf_counter()
    tasks = []
    for i, req in enumerate(requests):
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.005:
            late_starts += 1
        tasks.append(asyncio.ensure_future(one(req, due)))
    scheduled_s = time.perf_counter() - t0
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    while not idle.empty():
        idle.get_nowait().close()
    return {"mode": "open", "start": start, "elapsed_s": elapsed, "scheduled_s": scheduled_s,
            "sent": len(requests), "rate": rate, "connections_opened": opened,
            "late_starts": late_starts, "latencies_ms": lat, "due_s": due_s,
            "statuses": {str(k): v for k, v in statuses.items()}, "errors": dict(errors)}


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as fh:
        spec = json.load(fh)
    requests = read_requests(spec["requests"])
    if spec["mode"] == "closed":
        result = asyncio.run(closed_loop(spec["host"], spec["port"], requests, spec["connections"],
                                         spec.get("timeout", 30.0)))
    else:
        result = asyncio.run(open_loop(spec["host"], spec["port"], requests, spec["rate"],
                                       spec.get("max_connections", 256), spec.get("timeout", 30.0)))
    with open(spec["out"], "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
