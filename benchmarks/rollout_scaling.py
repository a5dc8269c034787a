"""Rollout throughput against a slow endpoint: episodes/s, percent of ideal and our CPU per episode (issue 10).

An OpenAI-compatible endpoint runs in its own process (asyncio, so it holds thousands of connections at
once) and answers every chat completion after a fixed latency with one `transfer_to_human` call, so each
episode is exactly one planner call. Each case runs `ccsim.simulate` in a fresh process that has already
played two episodes into a run folder of its own, so ccsim, ART and matplotlib (report.html) are imported
(start-up of the parent is not timed; start-up of worker processes is: it is part of what `--workers`
costs), and writes a full run folder (episodes, trajectories, summary and reports).

- episodes/s: episodes recorded / wall time of the `simulate` call;
- ideal: concurrency / latency episodes/s (the endpoint is the only limit); none for a 0 s endpoint;
- CPU ms per episode: user + system CPU of the run's process and all its worker processes, over the run.

Usage: python benchmarks/rollout_scaling.py [--quick] [--latency 0 1] [--concurrency 1 32 256 1024]
       [--workers 1 2] [--no-targets]
The issue's target cases run last (unless --no-targets): 2,048 episodes at concurrency 256 against the 1.0 s
endpoint with the default workers (>= 90% of ideal), and 4,096 episodes at concurrency 1,024 (every episode
recorded). Figures depend on the machine's load: say it (`uptime`) with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# ---- the endpoint ---------------------------------------------------------------------------------------


def _completion(model: str, number: int) -> bytes:
    call = {
        "id": f"call_{number}",
        "type": "function",
        "function": {
            "name": "transfer_to_human",
            "arguments": json.dumps({"department": "fraud", "summary": "Customer reports a charge they did not make."}),
        },
    }
    body = {
        "id": f"chatcmpl-{number}",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                "finish_reason": "tool_calls",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 900, "completion_tokens": 30, "total_tokens": 930},
    }
    return json.dumps(body).encode()


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stats: dict[str, int]) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
            if path.endswith("/stats"):
                usage = resource.getrusage(resource.RUSAGE_SELF)
                payload = json.dumps({**stats, "cpu_s": usage.ru_utime + usage.ru_stime}).encode()
            elif path.endswith("/models"):
                payload = json.dumps({"object": "list", "data": [{"id": "bench-0"}]}).encode()
            else:
                model = json.loads(body).get("model", "bench-0") if method == "POST" else "bench-0"
                stats["requests"] += 1
                stats["in_flight"] += 1
                stats["peak_in_flight"] = max(stats["peak_in_flight"], stats["in_flight"])
                try:
                    await asyncio.sleep(float(model.rpartition("-")[2] or 0))  # model 'bench-1.0': 1.0 s
                finally:
                    stats["in_flight"] -= 1
                payload = _completion(model, stats["requests"])
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(payload)).encode()
                + b"\r\n\r\n"
                + payload
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def _serve(port_file: Path) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stats = {"requests": 0, "in_flight": 0, "peak_in_flight": 0}
    server = await asyncio.start_server(lambda r, w: _handle(r, w, stats), "127.0.0.1", 0, backlog=8192)
    port_file.write_text(str(server.sockets[0].getsockname()[1]))
    async with server:
        await server.serve_forever()


# ---- one case -------------------------------------------------------------------------------------------


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_case(case: dict[str, Any]) -> None:
    import ccsim
    import ccsim.training.trajectory_io

    scenarios = ccsim.generate_scenarios(case["scenarios"], seed=11)
    planner = f"openai:bench-{case['latency']}@{case['url']}"
    with tempfile.TemporaryDirectory() as folder:
        # A warm-up into a folder of its own imports what any run's first folder needs once per process
        # (ART for the trajectories, matplotlib for report.html): start-up, not the run.
        ccsim.simulate(scenarios[:2], planner=planner, workers=1, weave=False, preflight=False, out=Path(folder) / "w")
    self_cpu, children_cpu = _cpu_s(resource.RUSAGE_SELF), _cpu_s(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        run = ccsim.simulate(
            scenarios,
            planner=planner,
            trials=case["trials"],
            concurrency=case["concurrency"],
            workers=case["workers"],
            out=Path(folder) / "run",
            weave=False,
            preflight=False,
            timeout_s=600,
        )
        wall = time.perf_counter() - started
        recorded = sum(1 for line in (Path(folder) / "run" / "episodes.jsonl").open() if line.strip())
    print(
        json.dumps(
            {
                "wall_s": wall,
                "episodes": run.summary.episodes,
                "recorded": recorded,
                "errors": sum(run.summary.status_counts.get(s, 0) for s in ("error", "timeout")),
                "causes": run.summary.errors_by_cause,
                "parent_cpu_s": _cpu_s(resource.RUSAGE_SELF) - self_cpu,
                "workers_cpu_s": _cpu_s(resource.RUSAGE_CHILDREN) - children_cpu,
            }
        )
    )


# ---- the driver -----------------------------------------------------------------------------------------


def _episodes_for(latency: float, concurrency: int, quick: bool) -> int:
    if quick:
        return max(8, 2 * concurrency) if latency else max(64, 2 * concurrency)
    # about 8 endpoint latencies' worth of work per case, at least 64 episodes
    return max(64, 8 * concurrency) if latency else max(512, 4 * concurrency)


def _stats(url: str) -> dict[str, Any]:
    import urllib.request

    with urllib.request.urlopen(url.removesuffix("/v1") + "/stats", timeout=10) as answer:
        return dict(json.loads(answer.read()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Small cases: a smoke run in about a minute or two.")
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 1.0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=None)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-targets", action="store_true", help="Skip the issue's two target cases.")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve))
        return
    if args.case:
        run_case(json.loads(args.case))
        return
    concurrencies = args.concurrency or ([1, 32, 256] if args.quick else [1, 32, 256, 1024])
    cases: list[dict[str, Any]] = [
        {"latency": latency, "concurrency": c, "workers": w, "episodes": _episodes_for(latency, c, args.quick)}
        for latency in args.latency
        for c in concurrencies
        for w in args.workers
    ]
    if not args.no_targets:
        targets = [(2048, 256), (4096, 1024)] if not args.quick else [(512, 256)]
        cases += [
            {"latency": 1.0, "concurrency": c, "workers": None, "episodes": n, "target": True} for n, c in targets
        ]
    with tempfile.TemporaryDirectory() as scratch:
        port_file = Path(scratch) / "port"
        endpoint = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file)])
        try:
            deadline = time.monotonic() + 30
            while not port_file.exists() or not port_file.read_text():
                if time.monotonic() > deadline:
                    sys.exit("the endpoint did not start")
                time.sleep(0.05)
            url = f"http://127.0.0.1:{port_file.read_text()}/v1"
            print("load average at start: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))
            print(
                f"{'latency':>7} {'conc':>5} {'workers':>7} {'episodes':>8} {'wall s':>7} {'ep/s':>7} {'% ideal':>7} "
                f"{'CPU ms/ep':>9} {'(workers)':>9} {'errors':>6} {'endpoint CPU s':>14} {'load':>5}"
            )
            for case in cases:
                # Scenarios x trials: enough distinct scenarios, trials make up the count cheaply.
                scenarios = min(case["episodes"], 512)
                trials = -(-case["episodes"] // scenarios)
                payload = {**case, "url": url, "scenarios": scenarios, "trials": trials}
                before = _stats(url)
                done = subprocess.run(
                    [sys.executable, __file__, "--case", json.dumps(payload)], capture_output=True, text=True
                )
                after = _stats(url)
                if done.returncode != 0:
                    print(f"case {case} failed:\n{done.stderr[-3000:]}")
                    continue
                result = json.loads(done.stdout.strip().splitlines()[-1])
                episodes = result["episodes"]
                rate = episodes / result["wall_s"]
                ideal = case["concurrency"] / case["latency"] if case["latency"] else None
                cpu = result["parent_cpu_s"] + result["workers_cpu_s"]
                share = f"{100 * rate / ideal:6.0f}%" if ideal else f"{'-':>7}"
                workers = "auto" if case["workers"] is None else str(case["workers"])
                print(
                    f"{case['latency']:>7.1f} {case['concurrency']:>5} {workers:>7} {episodes:>8} "
                    f"{result['wall_s']:>7.1f} {rate:>7.1f} {share:>7} {1000 * cpu / episodes:>9.1f} "
                    f"{1000 * result['workers_cpu_s'] / episodes:>9.1f} {result['errors']:>6} "
                    f"{after['cpu_s'] - before['cpu_s']:>14.2f} {os.getloadavg()[0]:>5.2f}",
                    flush=True,
                )
                if result["recorded"] != trials * scenarios or result["errors"]:
                    print(f"  recorded {result['recorded']} of {trials * scenarios}; errors: {result['causes']}")
                if case.get("target") and ideal and case["concurrency"] == 256:
                    verdict = "met" if rate / ideal >= 0.9 else "NOT met"
                    print(f"  target (>= 90% of ideal, {episodes} episodes at concurrency 256): {verdict}")
        finally:
            endpoint.terminate()
            endpoint.wait()


if __name__ == "__main__":
    main()
