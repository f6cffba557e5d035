"""HTTP load on a local `gcmhub serve` with the demo data: search beside a static-file baseline.

The demo (the Compact's 23 objectives and 187 actions, embedded) is built once in --data and
reused. For each --workers count the script starts `gcmhub serve --no-demo` on a free port,
then loads it with 20 concurrent clients (keep-alive connections), each scenario for --seconds
after a short warm-up: the static file /static/style.css (the baseline: what the server costs
before any application code), the lexical search API and the search page (HTML), rotating
over 30 queries in English, French and Spanish, the items list API and item pages.

The client is wrk (`apt-get install -y wrk`), two threads, the Lua script
bench/http_load.lua; without wrk, an asyncio client (httpx) in this process, which takes
CPU from the server on a small machine, so its figures are lower bounds. Latencies are those
of a closed loop (each client sends its next request when the last one is answered): with 20
clients, mean latency is about 20 / (requests per second). Errors are non-2xx responses and
socket errors (timeouts at --timeout). "x static" columns are ratios to the baseline of the
same run. "cores" are CPU seconds per second used by the server (all its processes), by the
client, and by anything else on the machine: on a shared machine, "other" says how much the
figures were disturbed.

Before the load, one request at a time on one kept-alive connection times the static file:
about 1 ms is right, about 40 ms means the server's connections lack TCP_NODELAY (Nagle's
algorithm waits for the client's delayed ACK), which caps every client at 25 requests/s.
With several workers, "by worker" splits the server's cores by process: the client opens its
connections at once, and one worker may accept most of them for the whole scenario.
--python runs the server with another interpreter (one with httptools and uvloop, say) to
compare environments in the same conditions.

Targets (the issue): lexical search API >= 200 req/s and p95 <= 100 ms on 2 cores, 0 errors.

    .venv/bin/python bench/http_load.py [--workers 1,2] [--seconds 10] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).parent
LUA = HERE / "http_load.lua"
GCMHUB = Path(sys.executable).parent / "gcmhub"
TARGET_RPS = 200.0
TARGET_P95_MS = 100.0

# Queries in the Compact's words, as a user would type them: remittance costs, fair
# recruitment, trafficking and smuggling, climate displacement, consular protection, data.
QUERIES = [
    "remittance costs",
    "reduce the transaction costs of remittances",
    '"fair recruitment"',
    "recruitment fees paid by workers",
    "trafficking in persons",
    "smuggling -trafficking",
    "climate change displacement",
    "disasters and environmental degradation",
    "consular protection and assistance",
    "data disaggregated by sex and age",
    "coût des envois de fonds",
    "transferts de fonds des migrants",
    "recrutement équitable",
    "frais de recrutement",
    "traite des personnes",
    "déplacements liés aux changements climatiques",
    "catastrophes naturelles",
    "protection consulaire",
    "assistance consulaire à l'étranger",
    "données ventilées par sexe et âge",
    "costo de las remesas",
    "envío de remesas a la familia",
    "contratación equitativa",
    "reclutamiento ético",
    "trata de personas",
    "desplazamiento por el cambio climático",
    "desastres naturales",
    "protección consular",
    "asistencia consular en el extranjero",
    "datos desglosados por sexo y edad",
]
ITEMS = ["gcm-20a", "gcm-6c", "gcm-8d", "gcm-1", "gcm-2c", "gcm-15"]
SCENARIOS: dict[str, list[str]] = {
    "static file": ["/static/style.css"],
    "search API": [f"/api/v1/search?{urlencode({'q': q, 'mode': 'lexical'})}" for q in QUERIES],
    "search page": [f"/search?{urlencode({'q': q, 'mode': 'lexical'})}" for q in QUERIES],
    "items API": ["/api/v1/items?limit=50"],
    "item page": [f"/items/{ref}" for ref in ITEMS],
}
BASELINE = "static file"


@dataclass
class Result:
    """One scenario under load."""

    workers: int
    scenario: str
    client: str
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int
    server_cores: float
    client_cores: float
    other_cores: float
    keepalive_ms: float
    worker_cores: list[float]

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


def prepare(data: Path) -> None:
    """Build the demo in `data` (the first time; later runs find it unchanged)."""
    data.mkdir(parents=True, exist_ok=True)
    fresh = not (data / "gcmhub.db").exists()
    if fresh:
        print(f"building the demo in {data} (once; about half a minute)", file=sys.stderr)
    env = {**os.environ, "GCMHUB_DATA_DIR": str(data)}
    subprocess.run([str(GCMHUB), "demo", "--json"], env=env, check=True, capture_output=True)


def http_stack(python: str) -> str:
    """Return the HTTP parser and event loop uvicorn picks in that interpreter ("auto")."""
    probe = "import importlib.util as u, sys; print(*(bool(u.find_spec(m)) for m in sys.argv[1:]))"
    command = [python, "-c", probe, "httptools", "uvloop"]
    found = subprocess.run(command, capture_output=True, text=True, check=True)
    httptools, uvloop = (word == "True" for word in found.stdout.split())
    return f"uvicorn, {'httptools' if httptools else 'h11'}, {'uvloop' if uvloop else 'asyncio'}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data: Path, port: int, workers: int, python: str) -> subprocess.Popen[bytes]:
    """Start `gcmhub serve` and return once it answers."""
    env = {**os.environ, "GCMHUB_DATA_DIR": str(data)}
    log = data / f"serve-{workers}.log"
    command = [python, "-c", "from gcmhub.cli import main; main()", "serve", "--no-demo"]
    command += ["--port", str(port), "--workers", str(workers)]
    with log.open("wb") as output:
        server = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gcmhub serve exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/style.css", timeout=2):
                pass
            if workers > 1:
                time.sleep(2)  # the first worker answers; let the others finish starting
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    stop_server(server)
    sys.exit(f"gcmhub serve did not answer within 60 s; see {log}")


def keepalive_probe(port: int, count: int = 20) -> float:
    """Return the median milliseconds of a static request on one kept-alive connection.

    A few milliseconds is right; about 40 ms means Nagle's algorithm meets the client's
    delayed ACK (TCP_NODELAY not set on the server's connections).
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    times = []
    try:
        for _ in range(count + 1):
            sent = time.perf_counter()
            connection.request("GET", "/static/style.css")
            connection.getresponse().read()
            times.append((time.perf_counter() - sent) * 1000)
    finally:
        connection.close()
    return sorted(times[1:])[count // 2]  # the first request opens the connection


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and its worker processes (its own process group)."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def tree_cpu(root: int) -> dict[int, float]:
    """Return the CPU seconds used so far by a process and each descendant (Linux)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / tick
    used, stack = {}, [root]
    while stack:
        pid = stack.pop()
        used[pid] = times.get(pid, 0.0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return used


def busy_cpu() -> float:
    """Return the CPU seconds the whole machine has been busy so far (Linux /proc/stat)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(
    base: str, paths: list[str], seconds: float, clients: int, timeout: float
) -> dict[str, float]:
    """Run wrk on the paths; return the JSON line of bench/http_load.lua."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    try:
        command = ["wrk", "-t2", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency"]
        command += ["--timeout", f"{max(1, round(timeout))}s", "-s", str(LUA)]
        command += [base, "--", listing.name]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    finally:
        os.unlink(listing.name)
    line = [row for row in done.stdout.splitlines() if row.startswith("{")][-1]
    figures = json.loads(line)
    return {
        "seconds": figures["duration_us"] / 1e6,
        "requests": figures["requests"],
        "p50": figures["p50_us"] / 1000,
        "p95": figures["p95_us"] / 1000,
        "p99": figures["p99_us"] / 1000,
        "max": figures["max_us"] / 1000,
        "non2xx": figures["non2xx"],
        "socket_errors": sum(figures[k] for k in ("connect", "read", "write", "timeout")),
    }


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def python_load(
    base: str, paths: list[str], seconds: float, clients: int, timeout: float
) -> dict[str, float]:
    """Load with `clients` concurrent asyncio workers on keep-alive connections."""
    try:
        import httpx
    except ImportError:  # the test extra installs httpx2, the same API
        try:
            import httpx2 as httpx  # type: ignore[no-redef]
        except ImportError:
            sys.exit("neither wrk nor httpx: apt-get install -y wrk")

    latencies: list[float] = []
    non2xx = socket_errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def worker(n: int) -> None:
            nonlocal non2xx, socket_errors
            position = n * 7
            while time.perf_counter() < deadline:
                position = (position + 1) % len(paths)
                sent = time.perf_counter()
                try:
                    response = await client.get(paths[position])
                    if not 200 <= response.status_code < 300:
                        non2xx += 1
                except httpx.HTTPError:
                    socket_errors += 1
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(worker(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    ordered = sorted(ms * 1000 for ms in latencies)
    return {
        "seconds": elapsed,
        "requests": len(ordered),
        "p50": percentile(ordered, 50),
        "p95": percentile(ordered, 95),
        "p99": percentile(ordered, 99),
        "max": ordered[-1] if ordered else float("nan"),
        "non2xx": non2xx,
        "socket_errors": socket_errors,
    }


def load(
    client: str, base: str, paths: list[str], seconds: float, args: argparse.Namespace
) -> dict[str, float]:
    if client == "wrk":
        return run_wrk(base, paths, seconds, args.clients, args.timeout)
    return asyncio.run(python_load(base, paths, seconds, args.clients, args.timeout))


def measure(workers: int, client: str, args: argparse.Namespace) -> list[Result]:
    """Start a server with `workers` processes and run every scenario against it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args.data, port, workers, args.python)
    results = []
    try:
        probe = keepalive_probe(port)
        for scenario, paths in SCENARIOS.items():
            if args.warmup > 0:
                load(client, base, paths, args.warmup, args)
            server_before, client_before = tree_cpu(server.pid), children_cpu()
            process_before, busy_before = time.process_time(), busy_cpu()
            figures = load(client, base, paths, args.seconds, args)
            busy = busy_cpu() - busy_before
            server_after = tree_cpu(server.pid)
            by_process = [t - server_before.get(pid, 0.0) for pid, t in server_after.items()]
            server_used = sum(by_process)
            # with several workers, the supervisor idles: the busy processes are the workers
            split = sorted(by_process, reverse=True)[:workers] if workers > 1 else []
            client_used = children_cpu() - client_before
            if client == "python":
                client_used = time.process_time() - process_before
            wall = figures["seconds"]
            results.append(
                Result(
                    workers=workers,
                    scenario=scenario,
                    client=client,
                    seconds=round(wall, 2),
                    requests=figures["requests"],
                    rps=round(figures["requests"] / wall, 1),
                    p50_ms=round(figures["p50"], 1),
                    p95_ms=round(figures["p95"], 1),
                    p99_ms=round(figures["p99"], 1),
                    max_ms=round(figures["max"], 1),
                    non2xx=figures["non2xx"],
                    socket_errors=figures["socket_errors"],
                    server_cores=round(server_used / wall, 2),
                    client_cores=round(client_used / wall, 2),
                    other_cores=round(max(0.0, busy - server_used - client_used) / wall, 2),
                    keepalive_ms=round(probe, 1),
                    worker_cores=[round(t / wall, 2) for t in split],
                )
            )
    finally:
        stop_server(server)
    return results


def print_table(results: list[Result], args: argparse.Namespace, stack: str) -> None:
    first = results[0]
    client = (
        "wrk, 2 threads" if first.client == "wrk" else "Python asyncio (httpx), in this process"
    )
    print(
        f"\nworkers {first.workers} · {args.clients} clients · {args.seconds:g} s per scenario "
        f"after {args.warmup:g} s warm-up · client {client} · server {stack}"
    )
    header = (
        f"{'scenario':<12} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"
        f" {'req/s x static':>14} {'p95 x static':>12} {'cores: server':>13} {'client':>6}"
        f" {'other':>5} {'by worker':>9}"
    )
    probe = first.keepalive_ms
    warning = " (about 40 ms: TCP_NODELAY is off, Nagle meets delayed ACK)" if probe > 20 else ""
    print(f"one client, one kept-alive connection: static file {probe:.1f} ms{warning}")
    print(header)
    print("-" * len(header))
    base = next(r for r in results if r.scenario == BASELINE)
    for r in results:
        print(
            f"{r.scenario:<12} {r.rps:>7.1f} {r.p50_ms:>7.1f} {r.p95_ms:>7.1f} {r.p99_ms:>7.1f}"
            f" {r.errors:>6} {r.rps / base.rps:>13.2f}x {r.p95_ms / base.p95_ms:>11.2f}x"
            f" {r.server_cores:>13.2f} {r.client_cores:>6.2f} {r.other_cores:>5.2f}"
            f" {'+'.join(f'{c:.2f}' for c in r.worker_cores) or '-':>9}"
        )
    if any(r.worker_cores and min(r.worker_cores) < max(r.worker_cores) / 2 for r in results):
        print(
            "uneven 'by worker': the workers share one listening socket and the client opens its "
            "connections at once, so one worker may accept most of them for the whole scenario"
        )


def verdict(result: Result) -> str:
    misses = []
    if result.rps < TARGET_RPS:
        misses.append(f"{result.rps:.0f} req/s < {TARGET_RPS:.0f}")
    if result.p95_ms > TARGET_P95_MS:
        misses.append(f"p95 {result.p95_ms:.0f} ms > {TARGET_P95_MS:.0f}")
    if result.errors:
        misses.append(f"{result.errors} errors")
    outcome = "met" if not misses else "missed: " + "; ".join(misses)
    return (
        f"workers {result.workers}: lexical search API {result.rps:.0f} req/s, "
        f"p95 {result.p95_ms:.0f} ms, {result.errors} errors -> target {outcome}"
    )


def main() -> None:
    """Prepare the demo, then measure each worker count and print the tables and verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "out" / "http-demo")
    parser.add_argument("--workers", default="1", help="worker counts, comma-separated: 1,2")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before each scenario")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=5.0, help="a slower answer is an error")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter that runs gcmhub serve (to compare environments, e.g. one with "
        "httptools and uvloop, which uvicorn then uses)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
        if client == "python":
            print(
                "wrk not found (apt-get install -y wrk): using the Python client, which shares "
                "the CPUs with the server",
                file=sys.stderr,
            )
    elif client == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install -y wrk, or --client python")
    prepare(args.data)
    cores = os.cpu_count()
    stack = http_stack(args.python)
    results: list[Result] = []
    for workers in (int(w) for w in args.workers.split(",")):
        measured = measure(workers, client, args)
        results += measured
        if not args.json:
            print_table(measured, args, stack)
    verdicts = [verdict(r) for r in results if r.scenario == "search API"]
    if args.json:
        print(
            json.dumps(
                {
                    "client": client,
                    "server": stack,
                    "cpus": cores,
                    "targets": {"search_api_rps": TARGET_RPS, "search_api_p95_ms": TARGET_P95_MS},
                    "results": [{**asdict(r), "errors": r.errors} for r in results],
                    "verdicts": verdicts,
                },
                indent=2,
            )
        )
        return
    print(
        f"\ntargets on {cores} cores: lexical search API >= {TARGET_RPS:.0f} req/s, "
        f"p95 <= {TARGET_P95_MS:.0f} ms, 0 errors"
    )
    for line in verdicts:
        print(line)


if __name__ == "__main__":
    main()
