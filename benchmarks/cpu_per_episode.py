"""Our own CPU per episode: `ccsim.asimulate` with an `openai:` planner against an endpoint that answers at once.

The endpoint is a minimal OpenAI-compatible HTTP/1.1 server (raw asyncio, keep-alive) in a separate
process, so its CPU is not counted. Each of its replies is a `transfer_to_human` tool call, so every
episode is one planner call (scripted customer and helpers). The same is measured for the rules planner.

Printed per configuration: CPU ms per episode of this process (user + system, from `resource.getrusage`,
counted around `asimulate` only, so imports and start-up are excluded), episodes/s, the median of
`--repeats` repeats. The issue 10 target is <= 6 ms per single-call episode.

`--gc both` (the default) measures each configuration twice, with the run's garbage-collector tuning
(ccsim/api/gc_tuning.py, what `asimulate` does) and with CPython's defaults (the tuning replaced by a no-op),
their repeats interleaved so that a change in the machine's load hits both alike, and prints the ratio.

Usage: python benchmarks/cpu_per_episode.py [--episodes 512] [--repeats 3] [--concurrency 32 256]
       [--gc both|tuned|default] [--profile FILE.prof]
       (--profile: cProfile one openai run at the first concurrency, then print its top entries)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import inspect
import json
import multiprocessing
import pstats
import resource
import socket
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import ccsim.contact_center.observability  # noqa: F401  (offline defaults before LangChain is imported)

_MODELS = json.dumps({"object": "list", "data": [{"id": "instant"}]}).encode()


def _completion(n: int) -> bytes:
    arguments = json.dumps({"department": "fraud", "summary": "Customer reports charges they do not recognise."})
    return json.dumps(
        {
            "id": f"chatcmpl-{n}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "instant",
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": f"call_{n}",
                                "type": "function",
                                "function": {"name": "transfer_to_human", "arguments": arguments},
                            }
                        ],
                    },
                    "finish_reason": "tool_calls",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 900, "completion_tokens": 20, "total_tokens": 920},
        }
    ).encode()


def _response(body: bytes) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def _serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    served = 0
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            served += 1
            body = _MODELS if head.startswith(b"GET") else _completion(served)
            writer.write(_response(body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _endpoint_process(sock: socket.socket) -> None:
    async def main() -> None:
        server = await asyncio.start_server(_serve_connection, sock=sock, backlog=4096)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def start_endpoint() -> tuple[str, multiprocessing.process.BaseProcess]:
    """The instant endpoint in its own process; its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(4096)
    port = sock.getsockname()[1]
    process = multiprocessing.get_context("fork").Process(target=_endpoint_process, args=(sock,), daemon=True)
    process.start()
    sock.close()
    return f"http://127.0.0.1:{port}/v1", process


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(run: Callable[[], Awaitable[int]]) -> tuple[float, float]:
    """(CPU ms per episode, episodes/s) of one run."""
    cpu, wall = _cpu_s(), time.perf_counter()
    episodes = await run()
    wall, cpu = time.perf_counter() - wall, _cpu_s() - cpu
    return 1000 * cpu / episodes, episodes / wall


@contextlib.contextmanager
def gc_mode(mode: str) -> Iterator[None]:
    """'tuned': as the library runs; 'default': the run's gc tuning replaced by a no-op (CPython's defaults)."""
    import ccsim.api.pools as pools

    tuned = getattr(pools, "tuned_gc", None)
    if mode == "tuned" or tuned is None:
        yield
        return
    setattr(pools, "tuned_gc", contextlib.nullcontext)  # noqa: B010  (a module attribute, patched for the run)
    try:
        yield
    finally:
        setattr(pools, "tuned_gc", tuned)  # noqa: B010


def runner(scenarios: list[Any], planner: str, concurrency: int) -> Callable[[], Awaitable[int]]:
    from ccsim.api.runs import asimulate

    # One process plays every episode, so its own CPU is all of ours (a version without `workers` has only one).
    one_process: dict[str, Any] = {"workers": 1} if "workers" in inspect.signature(asimulate).parameters else {}

    async def run() -> int:
        result = await asimulate(
            scenarios, planner=planner, concurrency=concurrency, weave=False, timeout_s=600, **one_process
        )
        errors = [e.error for e in result.episodes if e.error]
        if errors:
            raise RuntimeError(f"{len(errors)} episodes failed, e.g. {errors[0]}")
        return len(result.episodes)

    return run


async def main(args: argparse.Namespace, url: str) -> None:
    from ccsim.scenarios.generator import GenerationConfig, generate_scenarios

    scenarios = generate_scenarios(GenerationConfig(count=args.episodes, seed=11))
    every = {"openai": ("openai (instant HTTP endpoint)", f"openai:instant@{url}"), "rules": ("rules", "rules")}
    planners = dict(every[name] for name in args.planners)
    for planner in planners.values():  # warm imports, caches and the connection pool outside the timings
        await runner(scenarios[:64], planner, 32)()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        await runner(scenarios, every["openai"][1], args.concurrency[0])()
        profiler.disable()
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(args.profile).sort_stats("tottime")
        stats.print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        return
    modes = ["tuned", "default"] if args.gc == "both" else [args.gc]
    print(f"{args.episodes} episodes per measurement, median of {args.repeats} repeats; CPU of this process only")
    print(f"{'planner':<34}{'concurrency':>12}{'gc':>9}{'CPU ms/episode':>16}{'episodes/s':>12}")
    for label, planner in planners.items():
        for concurrency in args.concurrency:
            cpu: dict[str, list[float]] = {mode: [] for mode in modes}
            rate: dict[str, list[float]] = {mode: [] for mode in modes}
            for _ in range(args.repeats):
                for mode in modes:  # interleaved: load changes hit every mode alike
                    with gc_mode(mode):
                        ms, eps = await measure(runner(scenarios, planner, concurrency))
                    cpu[mode].append(ms)
                    rate[mode].append(eps)
            for mode in modes:
                print(
                    f"{label:<34}{concurrency:>12}{mode:>9}{statistics.median(cpu[mode]):>16.2f}"
                    f"{statistics.median(rate[mode]):>12.1f}",
                    flush=True,
                )
            if len(modes) == 2:
                ratio = statistics.median(cpu["tuned"]) / statistics.median(cpu["default"])
                print(f"{'':<34}{'':>12}{'ratio':>9}{ratio:>16.2f}  (tuned / default CPU)", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[32, 256])
    parser.add_argument("--planners", nargs="+", choices=("openai", "rules"), default=["openai", "rules"])
    parser.add_argument("--gc", choices=("both", "tuned", "default"), default="both")
    parser.add_argument("--profile", help="cProfile one openai run into this file and print its top entries")
    parser.add_argument("--top", type=int, default=40, help="entries printed with --profile")
    arguments = parser.parse_args()
    # Forked before any event loop runs here: the child starts clean.
    base_url, endpoint = start_endpoint()
    try:
        asyncio.run(main(arguments, base_url))
    finally:
        endpoint.terminate()
        endpoint.join(timeout=5)
