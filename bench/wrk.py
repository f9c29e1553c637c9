"""`wrk` (C, one thread) as the load of an HTTP benchmark, so that the client is not what is measured.

On a 2-core machine a Python client in the benchmark's own process takes a large share of the
CPU the service needs (httpx took about 0.7 of a core at 250 registrations/s, see
bench_intake.py), and the figure would then be the client's. `make bench` installs wrk.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


@dataclass(frozen=True)
class WrkResult:
    p50: float
    p99: float
    requests: int
    per_second: float


def installed() -> bool:
    return shutil.which("wrk") is not None


def parse_wrk(output: str) -> WrkResult:
    """The figures of `wrk --latency`; raises when any request failed (a fast error is no answer)."""
    percentiles = {
        float(p): float(v) * _UNITS[unit]
        for p, v, unit in re.findall(r"^\s+(\d+(?:\.\d+)?)%\s+(\d+(?:\.\d+)?)(us|ms|s|m)\s*$", output, re.MULTILINE)
    }
    requests = re.search(r"(\d+) requests in", output)
    per_second = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if 50.0 not in percentiles or 99.0 not in percentiles or requests is None or per_second is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    if failures or errors:
        raise RuntimeError(f"wrk saw failed requests ({(failures or errors).group(0)}):\n{output}")
    return WrkResult(percentiles[50.0], percentiles[99.0], int(requests.group(1)), float(per_second.group(1)))


async def run_wrk(
    url: str,
    headers: dict[str, str],
    *,
    seconds: float,
    connections: int,
    script: Path | None = None,
    script_arguments: tuple[str, ...] = (),
) -> WrkResult:
    """`connections` closed-loop clients on one wrk thread for `seconds`; `script` shapes each request."""
    arguments = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "30s"]
    for name, value in headers.items():
        arguments += ["-H", f"{name}: {value}"]
    if script is not None:
        arguments += ["-s", str(script)]
    arguments.append(url)
    if script_arguments:
        arguments += ["--", *script_arguments]
    process = await asyncio.create_subprocess_exec(*arguments, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{output.decode()}")
    return parse_wrk(output.decode())
