#!/usr/bin/env python3
"""Swift DSPy against Python DSPy 3.4.1, side by side, against one loopback server.

Starts `dspy-bench serve --port 0` (an OpenAI-compatible server on 127.0.0.1 whose latency
is chosen per request by the model name: "latN" waits N ms), runs every scenario with both
implementations `--runs` times, and prints medians with their ratio:

    Scripts/bench_compare.py                 # everything, 3 runs (a few minutes)
    Scripts/bench_compare.py --quick         # smaller N, to try it
    Scripts/bench_compare.py --only batch --runs 5
    Scripts/bench_compare.py --skip-python   # Swift only (no virtual environment)

Swift side:  `dspy-bench scenario NAME --base-url URL [--n N] [--workers W] [--items N]`
Python side: `Scripts/bench_dspy.py` (same arguments) in a virtual environment with
dspy==3.4.1 at ${XDG_CACHE_HOME:-~/.cache}/dspy-swift/bench-venv, created on first use.
Both print JSON lines {"impl", "scenario", "metric", "value", "unit"}.

Startup is measured here: `dspy-repl -c "1"` against `python -c "import dspy"` (wall time and
peak RSS), and the shell's first prompt in a pseudo-terminal (`dspy-repl --no-history` until
"dspy> ", idle RSS 0.5 s later) against `python -i -c "import dspy"` until ">>> ".

The header line carries the machine's load averages before and after. Timings whose runs disagree
by more than 20 % (other work took the CPU) are run again (--reruns, default 2) and the runs that
agree best are compared; if they still disagree, the table says "rerun" instead of a ratio.

Writes the raw JSON lines to .build/bench-results.jsonl and the table as Markdown to
.build/bench-table.md. Standard library only; run it with the system python3. Timings are
reported, never asserted.
"""

import argparse
import fcntl
import json
import os
import platform
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "Scripts"
DSPY_VERSION = "3.4.1"
IMPLS = ("swift", "python-dspy")
SCENARIOS = ("predict_seq", "cot_seq", "http_floor", "pool_floor", "lm_seq", "batch", "evaluate", "async10k", "batch100k", "settings", "startup", "python")
BATCH_LATENCY_S = 0.050
BATCH_WORKERS = (8, 64, 256)
HIGHER_IS_BETTER = {"calls_per_s"}
NO_RATIO = {"failures", "server_peak"}
# Metrics that other work on the machine distorts: runs that disagree on one of them by more than
# MAX_SPREAD are run again, and a ratio is refused if they still disagree.
TIMING_METRICS = {"wall_per_call_us", "cpu_per_call_us", "calls_per_s", "wall_s", "settings_read_ns",
                  "context_enter_exit_ns", "first_prompt_s"}
MAX_SPREAD = 0.20
# Children's environment: no network lookups by the Python side (the model-metadata map).
CHILD_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}


class BenchError(Exception):
    """A step failed; the message says which and why."""


def log(message):
    """Progress on stderr, so stdout carries only the results."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def child_env(**extra):
    env = dict(os.environ)
    env.update(CHILD_ENV)
    env.update(extra)
    return env


# ---------------------------------------------------------------------------------------
# The Python DSPy virtual environment


def venv_dir():
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "dspy-swift" / "bench-venv"


def ensure_venv():
    """The venv's python, creating the venv and installing dspy==3.4.1 if needed."""
    venv = venv_dir()
    python = venv / "bin" / "python"
    check = [str(python), "-c",
             f"import sys, dspy; sys.exit(0 if dspy.__version__ == {DSPY_VERSION!r} else 1)"]
    if python.exists() and subprocess.run(check, capture_output=True, env=child_env()).returncode == 0:
        return python
    if not python.exists():
        log(f"creating a virtual environment at {venv}")
        result = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
        if result.returncode != 0:
            raise BenchError(f"python3 -m venv failed (is python3-venv installed?): {result.stderr.strip()}")
    log(f"installing dspy=={DSPY_VERSION} from PyPI into {venv} (first time only; takes a few minutes)")
    result = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                             f"dspy=={DSPY_VERSION}"], capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"pip install dspy=={DSPY_VERSION} failed:\n{result.stderr.strip()[-2000:]}")
    if subprocess.run(check, capture_output=True, env=child_env()).returncode != 0:
        raise BenchError(f"dspy {DSPY_VERSION} still does not import in {venv}")
    log("dspy installed")
    return python


# ---------------------------------------------------------------------------------------
# The shared server


class Server:
    """`dspy-bench serve --port 0`, or an already running server given by its base URL."""

    def __init__(self, executable=None, base_url=None):
        self.proc = None
        self._stderr = None
        if base_url:
            self.base_url = base_url.rstrip("/")
        else:
            self.base_url = self._start(executable)
        self.root = re.sub(r"/v1$", "", self.base_url)

    def _start(self, executable):
        if not os.access(executable, os.X_OK):
            raise BenchError(f"{executable} not found; build it with `Scripts/build dspy-bench`")
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([str(executable), "serve", "--port", "0"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self._stderr)
        line = b""
        deadline = time.monotonic() + 30
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(remaining, 0))
            chunk = os.read(self.proc.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                self.stop()
                raise BenchError(f"dspy-bench serve printed no address{self._tail()}")
            line += chunk
        match = re.search(r"(http://\S+/v1)", line.decode(errors="replace"))
        if not match:
            self.stop()
            raise BenchError(f"unexpected first line from dspy-bench serve: {line!r}")
        return match.group(1)

    def _tail(self):
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace").strip()
        return f":\n{text[-1000:]}" if text else ""

    def _request(self, method, path):
        request = urllib.request.Request(self.root + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read()
        return json.loads(body) if body.strip() else {}

    def stats(self):
        """{"peak", "total", "in_flight"}, or None when the server has no /stats."""
        try:
            return self._request("GET", "/stats")
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def reset(self):
        try:
            self._request("POST", "/reset")
        except (urllib.error.URLError, OSError, ValueError):
            pass

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None


# ---------------------------------------------------------------------------------------
# Scenarios


@dataclass
class Case:
    """One row group of the table: a scenario with its arguments."""
    label: str
    scenario: str
    args: dict = field(default_factory=dict)
    timeout: float = 300
    floor_s: float | None = None  # batch: see batch_floor
    server_peak: bool = False
    swift_only: bool = False  # no peer runs it (Python DSPy at this size would take many minutes)
    swift_args: dict = field(default_factory=dict)  # passed to dspy-bench only (Python runs the plain scenario)


def batch_floor(items, workers, latency_s):
    """The shortest wall time a batch can take: its busiest worker runs ceil(items / workers) calls
    one after another, each at least `latency_s`."""
    return -(-items // workers) * latency_s


def cases(quick):
    n_seq = 100 if quick else 300
    items = 200 if quick else 1000
    n_async = 2000 if quick else 10000
    result = [Case("predict_seq", "predict_seq", {"--n": n_seq}),
              Case("cot_seq", "cot_seq", {"--n": n_seq}),
              Case("predict_seq io", "predict_seq", {"--n": n_seq}, swift_args={"--executor": "io"}),
              Case("cot_seq io", "cot_seq", {"--n": n_seq}, swift_args={"--executor": "io"}),
              Case("http_floor", "http_floor", {"--n": 10 * n_seq}, swift_only=True),
              Case("pool_floor", "pool_floor", {"--n": 10 * n_seq}, swift_only=True),
              Case("lm_seq", "lm_seq", {"--n": 10 * n_seq}, swift_only=True)]
    for workers in BATCH_WORKERS:
        result.append(Case(f"batch w={workers}", "batch", {"--items": items, "--workers": workers},
                           floor_s=batch_floor(items, workers, BATCH_LATENCY_S), server_peak=True))
    result.append(Case("evaluate w=64", "evaluate", {"--items": items, "--workers": 64},
                       floor_s=batch_floor(items, 64, BATCH_LATENCY_S), server_peak=True))
    result.append(Case("async10k", "async10k", {"--n": n_async}, timeout=420, server_peak=True))
    huge = 20_000 if quick else 100_000
    result.append(Case("batch100k w=1024", "batch100k",
                       {"--items": huge, "--workers": 1024, "--latency-ms": 20},
                       timeout=900, floor_s=batch_floor(huge, 1024, 0.020), server_peak=True, swift_only=True))
    result.append(Case("settings", "settings"))
    return result


class Results:
    """Values per (case, metric, impl) over the runs, their units, and errors."""

    def __init__(self, jsonl_path, runs):
        self.runs = runs
        self.values = {}
        self.units = {}
        self.errors = {}
        self.order = []  # (case, metric) in first-seen order
        self.jsonl = open(jsonl_path, "w")

    def add(self, case, impl, metric, value, unit, run, scenario=None):
        key = (case, metric)
        if key not in self.units:
            self.order.append(key)
            self.units[key] = unit
        self.values.setdefault((case, metric, impl), []).append(float(value))
        record = {"impl": impl, "scenario": scenario or case, "metric": metric, "value": float(value),
                  "unit": unit, "case": case, "run": run}
        self.jsonl.write(json.dumps(record) + "\n")
        self.jsonl.flush()

    def window(self, case, metric, impl):
        """The `runs` values that agree best (all of them when there were no reruns)."""
        values = sorted(self.values.get((case, metric, impl), []))
        if len(values) <= self.runs:
            return values
        starts = range(len(values) - self.runs + 1)
        best = min(starts, key=lambda i: spread(values[i:i + self.runs]))
        return values[best:best + self.runs]

    def median(self, case, metric, impl):
        values = self.window(case, metric, impl)
        return statistics.median(values) if values else None

    def disagreement(self, case, metric, impl):
        """How far apart the agreeing runs are (0.25: the slowest took 25 % longer), for timings."""
        values = self.window(case, metric, impl)
        return spread(values) if metric in TIMING_METRICS and len(values) >= 2 else 0.0

    def unstable(self, case, impl):
        """The timing metrics of `case` whose runs disagree by more than MAX_SPREAD."""
        return [metric for (c, metric) in self.order if c == case and self.disagreement(c, metric, impl) > MAX_SPREAD]

    def error(self, case, impl, message):
        self.errors.setdefault((case, impl), message)


def spread(values):
    """max/min - 1 of positive values (0 for fewer than two)."""
    values = [v for v in values if v > 0]
    return max(values) / min(values) - 1 if len(values) >= 2 else 0.0


def machine_load():
    """The 1, 5 and 15 minute load averages, or None where /proc/loadavg is missing."""
    try:
        return tuple(float(x) for x in Path("/proc/loadavg").read_text().split()[:3])
    except (OSError, ValueError):
        return None


def run_json(cmd, timeout):
    """Run a scenario command; its JSON records, or BenchError with the reason."""
    try:
        proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout,
                              env=child_env(), stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise BenchError(f"{cmd[0]} not found")
    except subprocess.TimeoutExpired:
        raise BenchError(f"timed out after {timeout:g} s")
    records = []
    for line in proc.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    notes = [line for line in proc.stderr.splitlines() if line.strip()]
    if proc.returncode != 0 or not records:
        reason = notes[-1] if notes else "no output"
        raise BenchError(f"exit {proc.returncode}: {reason}")
    return records, notes


def scenario_command(impl, case, base_url, python):
    args = [base_url]
    for flag, value in case.args.items():
        args += [flag, value]
    if impl == "swift":
        for flag, value in case.swift_args.items():
            args += [flag, value]
        return [ARGS.dspy_bench, "scenario", case.scenario, "--base-url", *args]
    return [python, SCRIPTS / "bench_dspy.py", "--scenario", case.scenario, "--base-url", *args]


def run_case(case, impl, run, server, python, results):
    """One run of one scenario for one implementation, recorded in `results`."""
    if case.server_peak:
        server.reset()
    try:
        records, notes = run_json(scenario_command(impl, case, server.base_url, python), case.timeout)
    except BenchError as exc:
        results.error(case.label, impl, str(exc))
        log(f"  {impl}: {case.label}: {exc}")
        return
    for line in notes[-5:]:
        log(f"  [{impl}] {line}")
    for record in records:
        if record.get("impl") != impl:
            log(f"  {impl}: unexpected impl in {record}")
        results.add(case.label, impl, record["metric"], record["value"], record.get("unit", ""), run,
                    record.get("scenario"))
    if case.server_peak:
        stats = server.stats()
        if stats is not None:
            results.add(case.label, impl, "server_peak", stats.get("peak", 0), "requests", run, case.scenario)


# ---------------------------------------------------------------------------------------
# Startup


def measure_process(cmd, env, timeout=120):
    """Wall seconds and peak RSS (MiB) of one run of `cmd`, from wait4's rusage of that child."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen([str(c) for c in cmd], stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=err, env=env)
        except OSError as exc:
            raise BenchError(f"cannot start {cmd[0]}: {exc}")
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()
            raise BenchError(f"{Path(str(cmd[0])).name} exited {proc.returncode}: {tail[-1] if tail else ''}")
    return wall, usage.ru_maxrss / 1024


def vm_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise BenchError("no VmRSS in /proc status")


def first_prompt(cmd, prompt, env, timeout=60, idle_s=0.5):
    """Seconds until `prompt` appears on a pseudo-terminal, and the RSS (MiB) after idling."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child: a sane window size, then the program
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.execve(str(cmd[0]), [str(c) for c in cmd], env)
        finally:
            os._exit(127)
    output = b""
    try:
        deadline = start + timeout
        # The prompt as it shows: colour escapes may sit inside it (`dspy>ESC[0m `).
        while prompt not in re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", output):
            ready, _, _ = select.select([fd], [], [], max(deadline - time.perf_counter(), 0))
            if not ready:
                raise BenchError(f"no {prompt.decode()!r} prompt within {timeout} s; output: {output[-300:]!r}")
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                raise BenchError(f"exited before the {prompt.decode()!r} prompt; output: {output[-300:]!r}")
            output += chunk
        elapsed = time.perf_counter() - start
        idle_until = time.perf_counter() + idle_s
        while (remaining := idle_until - time.perf_counter()) > 0:  # keep draining while idle
            if select.select([fd], [], [], remaining)[0]:
                try:
                    os.read(fd, 65536)
                except OSError:
                    break
        rss = vm_rss_mb(pid)
    finally:
        stop_pty_child(pid, fd)
    return elapsed, rss


def stop_pty_child(pid, fd):
    """Send EOF, then SIGTERM, then SIGKILL, and reap the child."""
    for action in ("eof", signal.SIGTERM, signal.SIGKILL):
        try:
            if action == "eof":
                os.write(fd, b"\x04")
            else:
                os.kill(pid, action)
        except OSError:
            pass
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                if select.select([fd], [], [], 0.05)[0]:
                    os.read(fd, 65536)
            except OSError:
                pass
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                os.close(fd)
                return
    os.waitpid(pid, 0)
    os.close(fd)


def run_startup(run, python, results, home):
    """Startup rows: one measurement of each command per run (after one untimed warm-up)."""
    env = child_env(HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data",
                    XDG_STATE_HOME=f"{home}/state", XDG_CACHE_HOME=f"{home}/cache", TERM="xterm")
    plans = []
    if not ARGS.skip_swift:
        repl = ARGS.dspy_repl
        plans += [
            ("swift", "startup", lambda: measure_process([repl, "-c", "1"], env)),
            ("swift", "shell prompt", lambda: first_prompt([repl, "--no-history"], b"dspy> ", env)),
        ]
    if python is not None:
        plans += [
            ("python-dspy", "startup", lambda: measure_process([python, "-c", "import dspy"], env)),
            ("python-dspy", "shell prompt",
             lambda: first_prompt([python, "-q", "-i", "-c", "import dspy"], b">>> ", env)),
        ]
    for impl, label, measure in plans:
        try:
            if run == 0:
                measure()  # warm the page cache
            value, rss = measure()
        except (BenchError, OSError) as exc:
            results.error(label, impl, str(exc))
            log(f"  {impl}: {label}: {exc}")
            continue
        if label == "startup":
            results.add(label, impl, "wall_s", value, "s", run)
            results.add(label, impl, "max_rss_mb", rss, "MiB", run)
        else:
            results.add(label, impl, "first_prompt_s", value, "s", run)
            results.add(label, impl, "idle_rss_mb", rss, "MiB", run)


def run_python_language(run, results, home):
    """The shell's Python against CPython (python3) on Scripts/bench_python.py's workloads:
    `dspy-repl FILE.py` and `python3 FILE.py` on the same file, wall time of the whole process."""
    from bench_python import WORKLOADS  # the one list of workloads
    env = child_env(HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data",
                    XDG_CACHE_HOME=f"{home}/cache")
    for name, source in WORKLOADS.items():
        path = Path(home) / f"{name}.py"
        path.write_text(source)
        plans = []
        if not ARGS.skip_swift:
            plans.append(("swift", [ARGS.dspy_repl, "--no-disk-cache", "--no-call-log", path]))
        plans.append(("python-dspy", ["python3", path]))  # CPython itself for these rows
        for impl, cmd in plans:
            try:
                if run == 0:
                    measure_process(cmd, env)  # warm the page cache
                wall, rss = measure_process(cmd, env)
            except (BenchError, OSError) as exc:
                results.error(f"py {name}", impl, str(exc))
                log(f"  {impl}: py {name}: {exc}")
                continue
            results.add(f"py {name}", impl, "wall_s", wall, "s", run)


# ---------------------------------------------------------------------------------------
# Report


def fmt(value):
    if value is None:
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 100 or value == int(value) and magnitude < 1e9:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def speedup(metric, swift, python):
    """How many times better Swift is: python/swift for costs, swift/python for rates."""
    if metric in NO_RATIO or swift is None or python is None or swift == 0 or python == 0:
        return None
    return swift / python if metric in HIGHER_IS_BETTER else python / swift


def table_rows(results):
    rows = []
    for case, metric in results.order:
        swift = results.median(case, metric, "swift")
        python = results.median(case, metric, "python-dspy")
        ratio = speedup(metric, swift, python)
        unstable = any(results.disagreement(case, metric, impl) > MAX_SPREAD for impl in IMPLS)
        rows.append([case, metric, results.units[(case, metric)], fmt(swift), fmt(python),
                     "rerun" if unstable and ratio is not None else "" if ratio is None else f"{ratio:.2f}"])
    return rows


def floor_rows(results, all_cases):
    rows = []
    for case in all_cases:
        if case.floor_s is None:
            continue
        swift = results.median(case.label, "wall_s", "swift")
        python = results.median(case.label, "wall_s", "python-dspy")
        if swift is None and python is None:
            continue
        rows.append([case.label, fmt(case.floor_s),
                     fmt(swift), fmt(swift / case.floor_s) if swift else "n/a",
                     fmt(python), fmt(python / case.floor_s) if python else "n/a",
                     fmt(results.median(case.label, "server_peak", "swift")),
                     fmt(results.median(case.label, "server_peak", "python-dspy"))])
    return rows


def text_table(header, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    lines = ["  ".join(str(x).ljust(w) if i < 3 else str(x).rjust(w) for i, (x, w) in enumerate(zip(r, widths)))
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i < 3 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


MAIN_HEADER = ["scenario", "metric", "unit", "swift", "python-dspy", "speedup ×"]
FLOOR_HEADER = ["run", "floor s", "swift s", "swift/floor", "python s", "python/floor",
                "peak swift", "peak python"]


def notes_text(results, all_cases, startup):
    """Footnotes: the ratio convention, what each row group measured, and every n/a's reason."""
    by_label = {case.label: case for case in all_cases}
    lines = ["speedup × = python/swift for times, CPU and memory; swift/python for calls_per_s "
             "(above 1: Swift is better). Medians of the runs."]
    for label in ("predict_seq", "cot_seq"):
        if label in by_label:
            lines.append(f"{label}: {by_label[label].args['--n']} sequential calls at 0 ms latency "
                         "after 20 warm-up calls.")
    if "predict_seq io" in by_label or "cot_seq io" in by_label:
        lines.append("io rows: the same Swift calls from a task on an IOExecutor (no thread hop per call); "
                     "Python DSPy runs its plain scenario again.")
    if "http_floor" in by_label:
        lines.append("http_floor: predict_seq's request written and its reply read on one blocking socket, "
                     "nothing else: what any client pays per call on this machine.")
    if "pool_floor" in by_label:
        lines.append("pool_floor: the same request through the LM's keep-alive pool (SwiftNIO) from a task on "
                     "an IOExecutor, without the LM's request building and reply parsing.")
    if "lm_seq" in by_label:
        lines.append("lm_seq: predict_seq's messages straight to LM.call from a task on an IOExecutor "
                     "(no module, no adapter).")
    if any(case.floor_s for case in all_cases):
        lines.append("batch, evaluate: floor = ⌈items / workers⌉ × 50 ms (the busiest worker's calls, one "
                     "after another); peak = the server's highest number of requests in flight.")
    if "async10k" in by_label:
        lines.append(f"async10k: {by_label['async10k'].args['--n']} concurrent calls at 200 ms in one "
                     "event loop / task group.")
    if startup:
        lines.append("startup: `dspy-repl -c \"1\"` vs `python -c \"import dspy\"`; shell prompt: "
                     "`dspy-repl --no-history` until \"dspy> \" vs `python -i -c \"import dspy\"` until "
                     "\">>> \" in a pseudo-terminal, RSS after 0.5 s idle.")
    if any(case.startswith("py ") for case, _ in results.order):
        lines.append("py rows: the shell's Python (`dspy-repl FILE.py`) against CPython (`python3 FILE.py`, "
                     "not DSPy) on Scripts/bench_python.py's workloads; whole-process wall time, startup included.")
    if "batch100k w=1024" in by_label:
        args = by_label["batch100k w=1024"].args
        lines.append(f"batch100k: {args['--items']} items through batch() at {args['--latency-ms']} ms with "
                     f"{args['--workers']} workers, Swift only; peak_rss_mb is the whole process's.")
    for (case, metric) in results.order:
        for impl in IMPLS:
            d = results.disagreement(case, metric, impl)
            if d > MAX_SPREAD:
                lines.append(f"rerun {impl} {case} {metric}: its runs disagree by {d:.0%} even after reruns "
                             "(other work took the CPU?); no ratio is given. Run again on a quiet machine.")
    for (case, impl), message in sorted(results.errors.items()):
        lines.append(f"n/a {impl} {case}: {message}")
    return lines


def report(results, all_cases, startup, out_dir, header_line):
    """Print the tables and notes, and write them as Markdown to out_dir/bench-table.md."""
    rows = table_rows(results)
    floors = floor_rows(results, all_cases)
    notes = notes_text(results, all_cases, startup)
    print(header_line)
    print()
    print(text_table(MAIN_HEADER, rows))
    if floors:
        print()
        print(text_table(FLOOR_HEADER, floors))
    print()
    for line in notes:
        print(line)
    markdown = [f"`{header_line}`", "", markdown_table(MAIN_HEADER, rows)]
    if floors:
        markdown += ["", markdown_table(FLOOR_HEADER, floors)]
    markdown += [""] + [f"- {line}" for line in notes]
    (out_dir / "bench-table.md").write_text("\n".join(markdown) + "\n")
    log(f"wrote {out_dir / 'bench-table.md'} and {out_dir / 'bench-results.jsonl'}")


# ---------------------------------------------------------------------------------------


def python_version(python):
    """" (Python X.Y.Z)" for the venv's interpreter, or "" without one."""
    if python is None:
        return ""
    result = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                            capture_output=True, text=True)
    return f" (Python {result.stdout.strip()})" if result.returncode == 0 else ""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    release = REPO / ".build" / "release"
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario; medians are shown (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="smaller N: predict_seq/cot_seq 100, batch items 200, async10k 2000")
    parser.add_argument("--only", action="append", default=[], metavar="SCENARIO",
                        help=f"run only these (repeatable or comma-separated): {', '.join(SCENARIOS)}")
    parser.add_argument("--reruns", type=int, default=2,
                        help="extra runs of a scenario whose runs disagree by more than 20%% (default 2)")
    parser.add_argument("--skip-python", action="store_true", help="Swift only; no virtual environment")
    parser.add_argument("--skip-swift", action="store_true", help="Python DSPy only")
    parser.add_argument("--dspy-bench", type=Path, default=release / "dspy-bench", help="default: %(default)s")
    parser.add_argument("--dspy-repl", type=Path, default=release / "dspy-repl", help="default: %(default)s")
    parser.add_argument("--base-url", help="use this running server instead of starting dspy-bench serve")
    parser.add_argument("--out-dir", type=Path, default=REPO / ".build", help="default: %(default)s")
    args = parser.parse_args(argv)
    args.only = {name for value in args.only for name in value.split(",") if name}
    unknown = args.only - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(sorted(unknown))}; choose from {', '.join(SCENARIOS)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.skip_python and args.skip_swift:
        parser.error("--skip-python and --skip-swift leave nothing to run")
    return args


ARGS = None  # the parsed command line, set by main()


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    global ARGS
    ARGS = parse_args(argv)
    signal.signal(signal.SIGTERM, on_sigterm)
    selected = [c for c in cases(ARGS.quick) if not ARGS.only or c.scenario in ARGS.only]
    want_startup = not ARGS.only or "startup" in ARGS.only
    want_python = not ARGS.only or "python" in ARGS.only
    cores = os.cpu_count()
    ARGS.out_dir.mkdir(parents=True, exist_ok=True)
    python = None if ARGS.skip_python else ensure_venv()
    impls = [i for i in IMPLS if not (i == "swift" and ARGS.skip_swift or i == "python-dspy" and python is None)]
    results = Results(ARGS.out_dir / "bench-results.jsonl", ARGS.runs)
    load_before = machine_load()
    server = None
    home = tempfile.mkdtemp(prefix="dspy-bench-home-")
    try:
        if selected:
            server = Server(ARGS.dspy_bench, ARGS.base_url)
            log(f"server at {server.base_url}")
            if server.stats() is None:
                log("WARNING: the server has no /stats: it predates per-model latency (latN), so the 0 ms and "
                    "200 ms scenarios run at its fixed latency; rebuild dspy-bench")
        for run in range(ARGS.runs):
            log(f"run {run + 1}/{ARGS.runs}")
            for case in selected:
                for impl in impls:
                    if impl != "swift" and case.swift_only:
                        continue
                    log(f"  {impl}: {case.label}")
                    run_case(case, impl, run, server, python, results)
            if want_startup:
                log("  startup")
                run_startup(run, python, results, home)
            if want_python:
                log("  python language")
                run_python_language(run, results, home)
        # Runs that disagree by more than MAX_SPREAD were disturbed by other work: run them again,
        # and compare the runs that agree best.
        for rerun in range(ARGS.reruns if ARGS.runs >= 2 else 0):
            todo = [(case, impl) for case in selected for impl in impls
                    if not (impl != "swift" and case.swift_only) and results.unstable(case.label, impl)]
            startup_unstable = want_startup and any(
                results.unstable(label, impl) for label in ("startup", "shell prompt") for impl in impls)
            if not todo and not startup_unstable:
                break
            for case, impl in todo:
                worst = max(results.disagreement(case.label, m, impl) for m in results.unstable(case.label, impl))
                log(f"  {impl}: {case.label}: runs disagree by {worst:.0%}; rerun {rerun + 1}/{ARGS.reruns}")
                run_case(case, impl, ARGS.runs + rerun, server, python, results)
            if startup_unstable:
                log(f"  startup: runs disagree; rerun {rerun + 1}/{ARGS.reruns}")
                run_startup(ARGS.runs + rerun, python, results, home)
    except KeyboardInterrupt:
        log("interrupted; reporting what was measured")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(home, ignore_errors=True)
        results.jsonl.close()
    load_after = machine_load()
    load = ("" if load_before is None or load_after is None else
            " load(1/5/15 min)=" + "/".join(f"{x:.2f}" for x in load_before) + " before, "
            + "/".join(f"{x:.2f}" for x in load_after) + " after")
    header = (f"cores={cores} runs={ARGS.runs}{' quick' if ARGS.quick else ''} "
              f"{f'python-dspy={DSPY_VERSION}{python_version(python)} ' if python else ''}"
              f"{platform.system()} {platform.machine()}{load}")
    report(results, selected, want_startup, ARGS.out_dir, header)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        log(f"error: {exc}")
        sys.exit(1)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)
