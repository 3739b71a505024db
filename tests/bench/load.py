"""The load generator of `make bench`: wrk (Debian's package) when it is installed, otherwise the small
Python generator below, in a process of its own either way so that it never shares the server's
event loop. N keep-alive connections on loopback, each sending requests one after another for a
fixed time, after a second of warm-up. Bounded in time and count; it stops by itself.

A load is a path, headers and, for a POST, a form: each posted form gets a new form_token and one of
60,000 client addresses in X-Forwarded-For (a ward behind the trusted proxy), as in production.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

WRK = shutil.which("wrk")
GENERATOR = "wrk" if WRK else "python"


@dataclass
class Load:
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    form: str = ""  # url-encoded: a POST of it, each with its own form_token
    connections: int = 32
    seconds: float = 6.0


@dataclass
class Figure:
    throughput: float  # successful (200) responses per second
    p50_ms: float
    p99_ms: float
    errors: int  # responses other than 200, and broken connections


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def run(
    url: str, make_request: Callable[[int], bytes], connections: int = 64, seconds: float = 6.0,
    warmup: float = 1.0, max_requests: int = 1_000_000,
) -> Result:
    """Send requests built by make_request(n) (the raw bytes) over `connections` connections."""
    parts = urlsplit(url)
    result = Result()
    counter = iter(range(max_requests))
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while True:
                now = time.perf_counter()
                if now >= stop_at:
                    return
                n = next(counter, None)
                if n is None:
                    return
                sent = time.perf_counter()
                writer.write(make_request(n))
                try:
                    status = await _read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    result.errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                    continue
                done = time.perf_counter()
                if sent >= measure_from and done <= stop_at:
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status == 200:
                        result.latencies.append(done - sent)
                    else:
                        result.errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    result.seconds = seconds
    return result


def _client(n: int) -> str:
    return f"10.{n % 250}.{(n // 250) % 250}.{(n // 62500) % 250 + 1}"


def _python_request(host: str, load: Load, run_id: str) -> Callable[[int], bytes]:
    headers = "".join(f"{k}: {v}\r\n" for k, v in load.headers.items())
    if not load.form:
        raw = f"GET {load.path} HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n".encode()
        return lambda n: raw

    start = random.randrange(15_000_000)  # the client addresses of a run start anywhere in the 60,000

    def make(n: int) -> bytes:
        n += start
        body = f"{load.form}&form_token=bench-{run_id}-{n}".encode()
        return (f"POST {load.path} HTTP/1.1\r\nHost: {host}\r\n{headers}X-Forwarded-For: {_client(n)}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode() + body
    return make


# wrk's Lua: the same requests as the Python generator's; done() prints the figures as JSON.
WRK_SCRIPT = """
local n = %(start)d
local path, form, run = %(path)s, %(form)s, %(run)s
wrk.path = path
%(headers)s
if form ~= "" then
  request = function()
    n = n + 1
    local headers = {["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Forwarded-For"] = string.format("10.%%d.%%d.%%d", n %% 250, math.floor(n / 250) %% 250,
                                          math.floor(n / 62500) %% 250 + 1)}
    for key, value in pairs(wrk.headers) do headers[key] = value end
    return wrk.format("POST", path, headers, form .. "&form_token=bench-" .. run .. "-" .. n)
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %%d, "us": %%d, "bad": %%d, "broken": %%d, "p50": %%d, "p99": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string for what we send


def _wrk_run(url: str, load: Load, seconds: float) -> str:
    """One run of wrk; each with its own script, so that no form token of a run is sent again."""
    headers = "\n".join(f"wrk.headers[{_lua(k)}] = {_lua(v)}" for k, v in load.headers.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"path": _lua(load.path), "form": _lua(load.form), "run": _lua(uuid.uuid4().hex),
                                   "headers": headers, "start": random.randrange(15_000_000)})
    try:
        return subprocess.run([WRK, "-t1", f"-c{load.connections}", "--timeout", "10s", "-s", script.name,
                               f"-d{seconds:g}s", url + load.path], capture_output=True, text=True,
                              timeout=seconds + 60, check=True).stdout
    finally:
        Path(script.name).unlink()


def _wrk(url: str, load: Load) -> Figure:
    _wrk_run(url, load, 1)  # warm-up
    output = _wrk_run(url, load, load.seconds)
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    data = json.loads(line[4:])
    seconds = data["us"] / 1e6
    good = data["requests"] - data["bad"]
    return Figure(good / seconds, data["p50"] / 1000, data["p99"] / 1000, data["bad"] + data["broken"])


def _python(url: str, load: Load) -> Figure:
    result = subprocess.run([sys.executable, "-m", "tests.bench.load", url], input=json.dumps(asdict(load)),
                            capture_output=True, text=True, timeout=load.seconds + 120, check=True)
    return Figure(**json.loads(result.stdout))


def measure(url: str, load: Load) -> Figure:
    """The load against url, by wrk or the Python generator, each in a process of its own."""
    return _wrk(url, load) if WRK else _python(url, load)


if __name__ == "__main__":  # the Python generator's own process: a Load as JSON in, a Figure as JSON out
    target, spec = sys.argv[1], Load(**json.loads(sys.stdin.read()))
    parts = urlsplit(target)
    outcome = asyncio.run(run(target, _python_request(f"{parts.hostname}:{parts.port}", spec, uuid.uuid4().hex[:10]),
                              spec.connections, spec.seconds))
    print(json.dumps(asdict(Figure(outcome.throughput, outcome.percentile(50) * 1000, outcome.percentile(99) * 1000,
                                   outcome.errors))))
