"""Scenario generation at scale (issue 10 item 4): `ccsim scenarios generate -n N` with one process and with
`--workers`, wall time including start-up, and where the generator's time goes.

Each run is the real command in a fresh process (so start-up counts), timed from outside; CPU is the
command's own plus its workers'. The files must be byte-identical whatever the workers. The load average is
printed with the figures: on a shared machine they mean little without it.

Usage: python benchmarks/scenario_generation.py [--count 5000] [--workers 1 0] [--profile 1000] [--proposals 500]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import hashlib
import itertools
import os
import pstats
import random
import re
import resource
import string
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Where the time goes: (label, function name as cProfile keys it: file suffix, function).
STAGES = (
    ("generate_scenario (all of it)", "generator.py", "generate_scenario"),
    ("  customer record draft", "bank_data.py", "build_customer_draft"),
    ("    transactions (add_transaction)", "bank_data.py", "add_transaction"),
    ("      descriptor fill (fill_descriptor)", "bank_data.py", "fill_descriptor"),
    ("    faker weighted picks (random_elements)", "providers/__init__.py", "random_elements"),
    ("  situation (weave)", "generator.py", "weave"),
    ("  typing noise (apply_typing)", "typing_noise.py", "apply_typing"),
    ("  pydantic validation (validate_python)", "", "validate_python"),
    ("intent pick (_pick)", "generator.py", "_pick"),
    ("  catalog.by_route list", "catalog.py", "by_route"),
    ("serialise (to_json)", "", "to_json"),
)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def run_cli(count: int, workers: int | None, out: Path) -> tuple[float, float, str]:
    """(wall s, CPU s, sha256) of one `ccsim scenarios generate` in a fresh process."""
    command = [str(Path(sys.executable).with_name("ccsim")), "scenarios", "generate", "-n", str(count)]
    command += ["-o", str(out), "--force"] + (["--workers", str(workers)] if workers else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"generate failed:\n{done.stdout}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, hashlib.sha256(out.read_bytes()).hexdigest()


def _is(key: tuple[str, int, str], file_suffix: str, name: str) -> bool:
    file, _line, function = key
    if file == "~":  # a builtin or C method: cProfile names it "<method 'NAME' of ...>"
        return not file_suffix and f"'{name}'" in function
    return function == name and file.endswith(file_suffix)


def profile(count: int) -> None:
    from ccsim.scenarios.generator import GenerationConfig
    from ccsim.scenarios.sharding import generate_shard

    config = GenerationConfig(count=count, seed=7)
    generate_shard(config, 0, 20)  # imports and caches outside the profile
    profiler = cProfile.Profile()
    profiler.enable()
    generate_shard(config, 0, count)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tottime for (_cc, _nc, tottime, _ct, _callers) in stats.values())
    print(f"\nprofile of {count} scenarios in one process (cProfile, {total:.2f} s profiled; shares of that):")
    for label, file_suffix, name in STAGES:
        cumulative = sum(entry[3] for key, entry in stats.items() if _is(key, file_suffix, name))
        print(f"  {label:<46} {cumulative / total:6.1%}")


def _tokenised_fill() -> Callable[[str, random.Random], str]:
    """bank_data.fill_descriptor with each pattern split once: the same rng.choice calls, no per-character loop."""
    alphabets = {"{d}": string.digits, "{a}": string.ascii_uppercase + string.digits}

    @functools.cache
    def tokens(pattern: str) -> tuple[tuple[str, bool], ...]:
        return tuple((alphabets.get(t, t), t in alphabets) for t in re.split(r"(\{[da]\})", pattern) if t)

    def fill(pattern: str, rng: random.Random) -> str:
        return "".join(rng.choice(text) if pick else text for text, pick in tokens(pattern))

    return fill


def _cached_weights(original: Callable[..., Any]) -> Callable[..., Any]:
    """Faker's random_elements with each weighted table's cumulative weights computed once: Faker rebuilds
    them on every call (O(table) for 7,000 names); random.choices(cum_weights=) draws the same element."""
    tables: dict[int, tuple[tuple[Any, ...], list[float], Any]] = {}

    def random_elements(self: Any, elements: Any = ("a", "b", "c"), length: int | None = None,
                        unique: bool = False, use_weighting: bool | None = None) -> Any:  # fmt: skip
        weighted = use_weighting if use_weighting is not None else self.__use_weighting__
        if not (isinstance(elements, OrderedDict) and weighted and not unique and length is not None):
            return original(self, elements, length, unique, use_weighting)
        if id(elements) not in tables:  # the table rides along, so its id cannot be reused
            tables[id(elements)] = (tuple(elements), list(itertools.accumulate(elements.values())), elements)
        keys, cumulative, _table = tables[id(elements)]
        return self.generator.random.choices(keys, cum_weights=cumulative, k=length)

    return random_elements


def proposals(count: int, rounds: int = 3) -> None:
    """Byte-identical speedups of the generator, patched in at runtime here only to measure them."""
    import faker.providers

    from ccsim.scenarios import bank_data
    from ccsim.scenarios.generator import GenerationConfig
    from ccsim.scenarios.sharding import generate_shard

    config = GenerationConfig(count=count, seed=7)
    generate_shard(config, 0, 20)
    fill, elements = bank_data.fill_descriptor, faker.providers.BaseProvider.random_elements
    variants = {
        "as is": (fill, elements),
        "fill_descriptor tokenised": (_tokenised_fill(), elements),
        "Faker weights cached": (fill, _cached_weights(elements)),
        "both": (_tokenised_fill(), _cached_weights(elements)),
    }
    best: dict[str, float] = {}
    reference = None
    try:
        for _round in range(rounds):  # interleaved, best of `rounds`: a shared machine's noise hits all alike
            for name, (fill_fn, elements_fn) in variants.items():
                bank_data.fill_descriptor = fill_fn  # type: ignore[assignment]
                faker.providers.BaseProvider.random_elements = elements_fn  # type: ignore[method-assign]
                started = time.process_time()
                text = generate_shard(config, 0, count).text
                ms = (time.process_time() - started) / count * 1e3
                reference = reference or text
                if text != reference:
                    sys.exit(f"{name}: the bytes changed")
                best[name] = min(best.get(name, ms), ms)
    finally:
        bank_data.fill_descriptor = fill  # type: ignore[assignment]
        faker.providers.BaseProvider.random_elements = elements  # type: ignore[method-assign]
    print(f"\nproposed byte-identical speedups, {count} scenarios, CPU per scenario (best of {rounds}); {load()}:")
    for name, ms in best.items():
        print(f"  {name:<28} {ms:6.3f} ms ({ms / best['as is'] - 1:+.0%}), same bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 0], help="0: the command's default")
    parser.add_argument("--profile", type=int, default=0, help="also profile this many scenarios")
    parser.add_argument("--proposals", type=int, default=0, help="also time proposed speedups on this many")
    args = parser.parse_args()
    print(f"ccsim scenarios generate -n {args.count}; before: {load()}")
    digests = set()
    with tempfile.TemporaryDirectory() as folder:
        for workers in args.workers:
            wall, cpu, digest = run_cli(args.count, workers or None, Path(folder) / "s.jsonl")
            digests.add(digest)
            name = f"--workers {workers}" if workers else "default workers"
            print(f"  {name:<16} wall {wall:6.2f} s (start-up included), CPU {cpu:6.2f} s; {load()}", flush=True)
    print(f"  files byte-identical: {len(digests) == 1}")
    if args.profile:
        profile(args.profile)
    if args.proposals:
        proposals(args.proposals)


if __name__ == "__main__":
    main()
