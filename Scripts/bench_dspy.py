"""Python DSPy half of the Swift-vs-Python benchmark (see Scripts/bench_compare.py).

Runs one scenario against an OpenAI-compatible loopback server (`dspy-bench serve`) and
prints one JSON object per measurement on stdout:

    {"impl": "python-dspy", "scenario": NAME, "metric": METRIC, "value": float, "unit": UNIT}

The server picks its latency from the model name: model "latN" is answered after N ms.
Run it inside a virtual environment that has dspy==3.4.1:

    python bench_dspy.py --scenario predict_seq --base-url http://127.0.0.1:PORT/v1 [--n N]
    python bench_dspy.py --scenario batch --base-url URL [--items N] [--workers W]

Scenarios: predict_seq, cot_seq, batch, evaluate, async10k, settings. Diagnostics go to stderr.

Connection pool: DSPy 3.4.1 sends `openai/...` models with `api_base` through its native
lm15 engine, whose HTTP transport holds at most 100 connections (`RouterConfig.max_connections`,
lm15's default; waiting for a free one times out after 600 s). `dspy.LM` has no option
that reaches that knob, so with 256 threads only 100 requests would be in flight. Unless
`--pool 0` is given, this script raises the default of the routers DSPy builds to the
scenario's concurrency (workers for `batch`, N for `async10k`) by giving
`RouterConfig.transport_kwargs` a `max_connections` when DSPy leaves it unset. Nothing
else about DSPy is changed.
"""

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from collections import Counter

IMPL = "python-dspy"
SCENARIOS = ("predict_seq", "cot_seq", "batch", "evaluate", "async10k", "settings")
DEFAULTS = {"predict_seq": 300, "cot_seq": 300, "async10k": 10000}
LATENCY_MS = {"predict_seq": 0, "cot_seq": 0, "batch": 50, "evaluate": 50, "async10k": 200, "settings": 0}
WARMUP_CALLS = 20


def emit(scenario, metric, value, unit):
    """Print one measurement as a JSON line (flushed, so a parent sees it at once)."""
    print(json.dumps({"impl": IMPL, "scenario": scenario, "metric": metric,
                      "value": float(value), "unit": unit}), flush=True)


def note(message):
    """A diagnostic line on stderr."""
    print(f"bench_dspy: {message}", file=sys.stderr, flush=True)


def peak_rss_mb():
    """This process's peak resident set size in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raise_pool(max_connections):
    """Make lm15 routers that DSPy builds without `max_connections` use this many connections.

    DSPy's native engine builds `RouterConfig(api_keys=..., base_urls=..., timeouts=...)`
    and never sets `max_connections`, so the transport falls back to lm15's default (100).
    An explicit value (none in DSPy 3.4.1) is left alone.
    """
    from dspy.lm15 import RouterConfig

    original = RouterConfig.transport_kwargs

    def transport_kwargs(self):
        kwargs = original(self)
        kwargs.setdefault("max_connections", max_connections)
        return kwargs

    RouterConfig.transport_kwargs = transport_kwargs
    note(f"lm15 connection pool raised to {max_connections} (DSPy default 100)")


def make_lm(base_url, scenario):
    """The LM under test: `openai/latN` at `base_url`, no cache; also configured globally."""
    import dspy

    if dspy.__version__ != "3.4.1":
        note(f"dspy {dspy.__version__} is not the 3.4.1 this benchmark compares against")
    lm = dspy.LM(f"openai/lat{LATENCY_MS[scenario]}", api_base=base_url, api_key="sk-loopback-0123456789", cache=False)
    dspy.configure(lm=lm)
    return lm


def run_sequential(args, module_name):
    """N sequential calls of `dspy.<module_name>` with distinct questions after a warm-up."""
    import dspy

    make_lm(args.base_url, args.scenario)
    module = getattr(dspy, module_name)("question -> answer")
    for i in range(WARMUP_CALLS):
        module(question=f"warm-up {i}")
    n = args.n
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(n):
        module(question=f"q{i}")
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    emit(args.scenario, "wall_per_call_us", wall / n * 1e6, "us")
    emit(args.scenario, "cpu_per_call_us", cpu / n * 1e6, "us")
    emit(args.scenario, "calls_per_s", n / wall, "calls/s")


def run_batch(args):
    """`Predict.batch` of `items` examples with `workers` threads at 50 ms per request."""
    import dspy

    make_lm(args.base_url, args.scenario)
    predict = dspy.Predict("question -> answer")

    def batch(examples):
        # max_errors above the item count: count failures instead of cancelling the batch.
        return predict.batch(examples, num_threads=args.workers, max_errors=len(examples) + 1,
                             return_failed_examples=True, disable_progress_bar=True)

    warm = [dspy.Example(question=f"warm-up {i}").with_inputs("question")
            for i in range(min(args.items, args.workers))]
    batch(warm)  # opens the pool's connections and starts the thread machinery once
    examples = [dspy.Example(question=f"q{i}").with_inputs("question") for i in range(args.items)]
    t0 = time.perf_counter()
    try:
        results, failed, exceptions = batch(examples)
        failures = sum(r is None for r in results)
    except Exception as exc:  # cancelled batch: report it rather than crash
        note(f"batch raised {type(exc).__name__}: {exc}")
        failures, exceptions = args.items, [exc]
    wall = time.perf_counter() - t0
    for kind, count in Counter(f"{type(e).__name__}: {e}"[:200] for e in exceptions).most_common(3):
        note(f"{count} x {kind}")
    emit(args.scenario, "wall_s", wall, "s")
    emit(args.scenario, "failures", failures, "items")


def run_evaluate(args):
    """`dspy.Evaluate` over `items` examples with `workers` threads at 50 ms per request."""
    import dspy

    make_lm(args.base_url, args.scenario)
    predict = dspy.Predict("question -> answer")
    warm = [dspy.Example(question=f"warm-up {i}", answer="a").with_inputs("question")
            for i in range(min(args.items, args.workers))]
    dspy.Evaluate(devset=warm, metric=dspy.evaluate.answer_exact_match, num_threads=args.workers,
                  max_errors=len(warm) + 1)(predict)  # opens the pool's connections once
    devset = [dspy.Example(question=f"q{i}", answer="a").with_inputs("question") for i in range(args.items)]
    evaluate = dspy.Evaluate(devset=devset, metric=dspy.evaluate.answer_exact_match, num_threads=args.workers,
                             max_errors=args.items + 1, display_progress=False)
    t0 = time.perf_counter()
    result = evaluate(predict)
    wall = time.perf_counter() - t0
    failures = sum(1 for _, prediction, _ in result.results if not prediction.keys())
    emit(args.scenario, "wall_s", wall, "s")
    emit(args.scenario, "failures", failures, "items")


def run_async(args):
    """N concurrent `acall`s gathered in one event loop, bounded by `--timeout` seconds."""
    import dspy

    make_lm(args.base_url, args.scenario)
    predict = dspy.Predict("question -> answer")
    errors = Counter()
    ok = 0

    async def one(i):
        nonlocal ok
        try:
            await predict.acall(question=f"q{i}")
            ok += 1
        except Exception as exc:  # counted, not raised: the run must finish and report
            errors[f"{type(exc).__name__}: {exc}"[:200]] += 1

    async def main():
        await predict.acall(question="warm-up")  # builds the per-loop engine and its pool
        tasks = [asyncio.ensure_future(one(i)) for i in range(args.n)]
        t0 = time.perf_counter()
        done, pending = await asyncio.wait(tasks, timeout=args.timeout)
        wall = time.perf_counter() - t0
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=10)
            errors[f"not finished after the {args.timeout:g} s limit"] += len(pending)
        return wall

    wall = asyncio.run(main())
    for kind, count in errors.most_common(3):
        note(f"{count} x {kind}")
    emit(args.scenario, "wall_s", wall, "s")
    emit(args.scenario, "peak_rss_mb", peak_rss_mb(), "MiB")
    emit(args.scenario, "failures", args.n - ok, "calls")


def run_settings(args):
    """Cost of reading `dspy.settings.lm` and of entering/leaving `dspy.context(lm=...)`."""
    import dspy

    lm = make_lm(args.base_url, args.scenario)
    settings, context = dspy.settings, dspy.context
    reads, contexts = 1_000_000, 100_000
    t0 = time.perf_counter_ns()
    for _ in range(reads):
        settings.lm
    emit(args.scenario, "settings_read_ns", (time.perf_counter_ns() - t0) / reads, "ns")
    t0 = time.perf_counter_ns()
    for _ in range(contexts):
        with context(lm=lm):
            pass
    emit(args.scenario, "context_enter_exit_ns", (time.perf_counter_ns() - t0) / contexts, "ns")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", required=True, choices=SCENARIOS)
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8123/v1")
    parser.add_argument("--n", type=int, help="calls (predict_seq/cot_seq 300, async10k 10000)")
    parser.add_argument("--workers", type=int, default=8, help="batch threads (default 8)")
    parser.add_argument("--items", type=int, default=1000, help="batch items (default 1000)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="async10k: stop waiting after this many seconds (default 300)")
    parser.add_argument("--pool", type=int, default=None,
                        help="lm15 max_connections; 0 keeps DSPy's default (100); "
                             "default: the scenario's concurrency when above 100")
    args = parser.parse_args(argv)
    if args.n is None:
        args.n = DEFAULTS.get(args.scenario, 0)
    for name in ("n", "workers", "items"):
        if getattr(args, name) < 1 and not (name == "n" and args.scenario in ("batch", "evaluate", "settings")):
            parser.error(f"--{name} must be positive")
    return args


def main(argv=None):
    args = parse_args(argv)
    # The model-metadata map would otherwise be refreshed from the internet on first use.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    concurrency = {"batch": args.workers, "evaluate": args.workers, "async10k": args.n}.get(args.scenario, 1)
    pool = args.pool if args.pool is not None else (concurrency if concurrency > 100 else 0)
    if pool:
        raise_pool(pool)
    runners = {
        "predict_seq": lambda: run_sequential(args, "Predict"),
        "cot_seq": lambda: run_sequential(args, "ChainOfThought"),
        "batch": lambda: run_batch(args),
        "evaluate": lambda: run_evaluate(args),
        "async10k": lambda: run_async(args),
        "settings": lambda: run_settings(args),
    }
    try:
        runners[args.scenario]()
    except Exception as exc:  # one clear line for the orchestrator instead of a traceback
        note(f"{args.scenario} failed: {type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
