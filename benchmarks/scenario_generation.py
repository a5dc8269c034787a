"""Scenario generation at scale (issue 10): `ccsim scenarios generate -n N` with one process and with
`--workers`, wall time including start-up, the fast path against the plain one, and where the time goes.

Each CLI run is the real command in a fresh process (so start-up counts), timed from outside; CPU is the
command's own plus its workers'. Runs are interleaved and repeated, and medians are printed: on a shared
machine one run means little, and the load average is printed with the figures. The files must be
byte-identical whatever the workers.

The plain path is the generator as it was before the speedups (Faker("en_US") as is, descriptors filled one
character at a time, every purchase through add_transaction and money()); it is defined here and patched in
for `--compare`, and tests/test_generation_speed_identity.py holds the two paths' bytes equal.

Usage: python benchmarks/scenario_generation.py [--count 5000] [--workers 1 0] [--repeat 3] [--plain]
           [--startup 5] [--compare 500] [--profile 1000]
--plain runs the command on the plain generation path too (patched in at start-up: plain Faker, bank_data,
CPython's collector thresholds, shards made as str; the parent still writes bytes), for side-by-side ratios.
Run it once more under `env -u PYTHONDONTWRITEBYTECODE` (after a warm-up run writes the .pyc files) to see
start-up with cached bytecode.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import hashlib
import os
import pstats
import random
import resource
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ccsim.scenarios import bank_data

# Where the time goes: (label, function name as cProfile keys it: file suffix, function).
STAGES = (
    ("generate_scenario (all of it)", "generator.py", "generate_scenario"),
    ("  customer record draft", "bank_data.py", "build_customer_draft"),
    ("    everyday purchases", "bank_data.py", "_add_everyday_purchases"),
    ("    faker calls (parse)", "faker/generator.py", "parse"),
    ("    faker weighted picks (random_elements)", "fast_faker.py", "random_elements"),
    ("  record validation (to_record)", "bank_data.py", "to_record"),
    ("  situation (weave)", "generator.py", "weave"),
    ("  typing noise (apply_typing)", "typing_noise.py", "apply_typing"),
    ("  handoff facts (stated_handoff_facts)", "generator.py", "stated_handoff_facts"),
    ("  pydantic validation (validate_python)", "", "validate_python"),
    ("intent pick (_pick)", "generator.py", "_pick"),
    ("  catalog.by_route list", "catalog.py", "by_route"),
    ("serialise (to_json)", "", "to_json"),
)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


# ------------------------------------------------------------------ the plain path


def plain_fill_descriptor(pattern: str, rng: random.Random) -> str:
    """bank_data.fill_descriptor before the speedup: one rng.choice per slot, one step per character."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        token = pattern[i : i + 3]
        if token == "{d}":
            out.append(rng.choice(string.digits))
            i += 3
        elif token == "{a}":
            out.append(rng.choice(string.ascii_uppercase + string.digits))
            i += 3
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def plain_everyday_purchases(
    draft: bank_data.RecordDraft, rng: random.Random, favourites: list[bank_data.Merchant], days: int
) -> None:
    """bank_data._add_everyday_purchases before the speedup: every purchase through add_transaction."""
    cards = draft.cards
    for day in range(days, 0, -1):
        if rng.random() < 0.55:
            merchant = rng.choice(favourites)
            card = cards[0] if rng.random() < 0.8 else rng.choice(cards)
            draft.add_transaction(
                rng,
                merchant,
                draft.reference_date - dt.timedelta(days=day),
                bank_data.money(rng, merchant.low, merchant.high),
                card_id=card["card_id"],
                status="pending" if day <= 2 and rng.random() < 0.5 else "posted",
            )


@contextlib.contextmanager
def plain_path() -> Iterator[None]:
    """The speedups of bank_data switched off in this process (generator.iter_scenarios's own Faker is plain)."""
    saved = bank_data.fill_descriptor, bank_data._add_everyday_purchases
    bank_data.fill_descriptor = plain_fill_descriptor
    bank_data._add_everyday_purchases = plain_everyday_purchases
    try:
        yield
    finally:
        bank_data.fill_descriptor, bank_data._add_everyday_purchases = saved


# ------------------------------------------------------------------ measurements


# `ccsim ARGS` with the plain path patched in before the command runs (forked workers inherit it).
PLAIN_CLI = """
import contextlib, functools, sys
sys.path.insert(0, {folder!r})
from faker import Faker
import scenario_generation as bench
from ccsim.scenarios import sharding
from ccsim.scenarios.io import format_scenarios
from ccsim.cli import app
sharding.process_faker = functools.cache(lambda: Faker("en_US"))
sharding._fewer_collections = contextlib.nullcontext  # CPython's collector thresholds
sharding.encode_scenarios = lambda scenarios, suffix: format_scenarios(scenarios, suffix).encode()
with bench.plain_path():
    app(sys.argv[1:], prog_name="ccsim")
"""


def run_cli(args: list[str], out: Path | None = None, *, plain: bool = False) -> tuple[float, float, str]:
    """(wall s, CPU s, sha256 of `out`) of one `ccsim ARGS` in a fresh process (`plain`: the plain path)."""
    command = [str(Path(sys.executable).with_name("ccsim")), *args]
    if plain:
        command = [sys.executable, "-c", PLAIN_CLI.format(folder=str(Path(__file__).resolve().parent)), *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"ccsim {' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, hashlib.sha256(out.read_bytes()).hexdigest() if out else ""


def generate_args(count: int, workers: int, out: Path) -> list[str]:
    return ["scenarios", "generate", "-n", str(count), "-o", str(out), "--force"] + (
        ["--workers", str(workers)] if workers else []
    )


def cli_runs(count: int, workers_list: list[int], repeat: int, with_plain: bool) -> None:
    print(f"\nccsim scenarios generate -n {count}, {repeat} interleaved runs each (medians); before: {load()}")
    paths = (False, True) if with_plain else (False,)
    runs = [(plain, workers) for workers in workers_list for plain in paths]
    walls: dict[tuple[bool, int], list[float]] = {run: [] for run in runs}
    cpus: dict[tuple[bool, int], list[float]] = {run: [] for run in runs}
    digests = set()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "s.jsonl"
        for _ in range(repeat):
            for plain, workers in runs:
                wall, cpu, digest = run_cli(generate_args(count, workers, out), out, plain=plain)
                walls[plain, workers].append(wall)
                cpus[plain, workers].append(cpu)
                digests.add(digest)
    for plain, workers in runs:
        name = (f"--workers {workers}" if workers else "default workers") + (" plain" if plain else "")
        wall, cpu = statistics.median(walls[plain, workers]), statistics.median(cpus[plain, workers])
        ratio = "" if plain or not with_plain else f" ({wall / statistics.median(walls[True, workers]):.2f}x plain)"
        listed = ", ".join(f"{w:.2f}" for w in walls[plain, workers])
        print(f"  {name:<22} wall {wall:6.2f} s{ratio} (start-up included; runs {listed}), CPU {cpu:6.2f} s")
    print(f"  after: {load()}; files byte-identical: {len(digests) == 1}")


def startup(repeat: int) -> None:
    print(f"\nstart-up, median of {repeat} fresh processes; before: {load()}")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "s.jsonl"
        for label, args in (("ccsim --help", ["--help"]), ("generate -n 1", generate_args(1, 1, out))):
            walls = [run_cli(args)[0] for _ in range(repeat)]
            print(f"  {label:<16} wall {statistics.median(walls):6.3f} s")
    print(f"  after: {load()}")


def compare(count: int, rounds: int = 3) -> None:
    """CPU per scenario in this process, the plain path against the fast one, same bytes."""
    from faker import Faker

    from ccsim.scenarios.generator import GenerationConfig, iter_scenarios
    from ccsim.scenarios.io import format_scenarios
    from ccsim.scenarios.sharding import generate_shard

    config = GenerationConfig(count=count, seed=7)
    generate_shard(config, 0, 20)  # imports, the catalog and the process's Faker, outside the timing
    plain_faker = Faker("en_US")

    def plain() -> str:
        with plain_path():
            return format_scenarios(list(iter_scenarios(config, faker=plain_faker)), ".jsonl")

    def fast() -> str:
        return generate_shard(config, 0, count).text

    variants = {"plain path": plain, "fast path": fast}
    best: dict[str, float] = {}
    texts: dict[str, str] = {}
    for _round in range(rounds):  # interleaved, best of `rounds`: a shared machine's noise hits both alike
        for name, run in variants.items():
            started = time.process_time()
            texts[name] = run()
            best[name] = min(best.get(name, float("inf")), (time.process_time() - started) / count * 1e3)
    print(f"\nplain vs fast path, {count} scenarios in one process, CPU per scenario (best of {rounds}); {load()}:")
    for name, ms in best.items():
        print(f"  {name:<12} {ms:6.3f} ms ({ms / best['plain path']:.2f}x the plain path)")
    print(f"  byte-identical: {texts['plain path'] == texts['fast path']}")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 0], help="0: the command's default")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each --workers value (medians)")
    parser.add_argument("--plain", action="store_true", help="also run the command on the plain path")
    parser.add_argument("--startup", type=int, default=5, help="fresh processes for the start-up figures (0: skip)")
    parser.add_argument("--compare", type=int, default=0, help="also time plain vs fast path on this many")
    parser.add_argument("--profile", type=int, default=0, help="also profile this many scenarios")
    args = parser.parse_args()
    bytecode = "off" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "on"
    print(f"Python {sys.version.split()[0]}; writing .pyc files {bytecode} (PYTHONDONTWRITEBYTECODE)")
    if args.startup:
        startup(args.startup)
    if args.count:
        cli_runs(args.count, args.workers, args.repeat, args.plain)
    if args.compare:
        compare(args.compare)
    if args.profile:
        profile(args.profile)


if __name__ == "__main__":
    main()
