"""Scenario generation across processes: shards of indices, one writer, the bytes of a one-process run.

A generated scenario depends only on (config, index): the generator seeds each one from (version, seed,
index). So worker processes generate contiguous index ranges (shards) and return them as finished file
lines, and the parent writes the shards in index order: the file is byte-identical to a one-process run
whatever the number of workers. Only a few shards are in flight at a time, so memory stays flat for any
count; nothing holds the scenarios.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, Field

from ccsim.contact_center.files import open_atomic
from ccsim.contact_center.models import Scenario
from ccsim.scenarios.catalog import load_catalog
from ccsim.scenarios.fast_faker import process_faker
from ccsim.scenarios.generator import GenerationConfig, iter_scenarios
from ccsim.scenarios.io import ScenarioFileError, csv_header, encode_scenarios

# Scenarios per shard: ~0.25 s of work and ~2 MB of UTF-8, so the parent's writes and the pickling stay small
# beside the generation, and a progress bar moves often.
SHARD_SIZE = 250
# Below this count (about 1 s of one core's work) one process is enough: a forked pool starts in ~0.1 s, but
# under this the second core saves little, and a machine busy with other work gains nothing at all.
PARALLEL_FROM = 1_000
# Shards in flight per worker: enough that no worker waits for the writer, few enough for flat memory.
SHARDS_PER_WORKER = 3
# A scenario allocates thousands of short-lived dicts, lists and models, and nothing in it makes cycles worth
# chasing: with CPython's young threshold (700) the collector ran every few hundred allocations and took about
# a sixth of the time. Shards raise it while they generate (the older generations keep their ratios).
GC_YOUNG_THRESHOLD = 10_000
# Distinct openings are counted over at most this many scenarios, so the count's memory is bounded too.
DISTINCT_LIMIT = 200_000

Progress = Callable[[int, int], None]  # (scenarios written, total)


class GenerationError(RuntimeError):
    """Generation that could not finish; the output file was left as it was."""


class Shard(NamedTuple):
    """Scenarios [start, start + size) as file lines (UTF-8), and 8-byte digests of their openings."""

    start: int
    size: int
    data: bytes
    openings: list[int]

    @property
    def text(self) -> str:
        return self.data.decode()


class GenerationReport(BaseModel):
    """What a generation run wrote."""

    path: Path = Field(description="The file written.")
    count: int = Field(description="Scenarios written.")
    workers: int = Field(description="Processes that generated them (1: this one).")
    seconds: float = Field(description="Wall time of the generation and the write.")
    distinct_openings: int = Field(description="Distinct opening messages among the first `openings_checked`.")
    openings_checked: int = Field(description="How many scenarios the distinct count covers.")

    @property
    def distinct_opening_ratio(self) -> float:
        return self.distinct_openings / self.openings_checked if self.openings_checked else 1.0


def available_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def default_workers(count: int) -> int:
    """One process for small counts; all cores from PARALLEL_FROM scenarios on."""
    return available_cores() if count >= PARALLEL_FROM else 1


def _digest(text: str) -> int:
    # A stable digest, not hash(): str hashes differ between processes.
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """CPython's young-generation threshold raised to GC_YOUNG_THRESHOLD for the block, then put back."""
    before = gc.get_threshold()
    if before[0] >= GC_YOUNG_THRESHOLD:  # already raised (by the caller, or a shard in another thread)
        yield
        return
    gc.set_threshold(GC_YOUNG_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def generate_shard(config: GenerationConfig, start: int, stop: int, suffix: str = ".jsonl") -> Shard:
    """Scenarios [start, stop) of `config`, exactly as `generator.iter_scenarios` makes them, as file lines."""
    with _fewer_collections():
        scenarios = list(iter_scenarios(config, start, stop, faker=process_faker()))
    return Shard(
        start=start,
        size=stop - start,
        data=encode_scenarios(scenarios, suffix),
        openings=[_digest(s.opening_message) for s in scenarios],
    )


def _context() -> BaseContext:
    # fork is the cheapest start (workers inherit the imported generator and the loaded catalog), but forking
    # while other threads run can leave a child stuck on a lock taken at fork time; then, and off Linux,
    # workers are spawned and import the generator themselves (about half a second each, in parallel).
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _leave_interrupts_to_parent() -> None:
    # Ctrl-C reaches the whole process group: the parent cancels the queued shards and removes the partial
    # file; a worker that died of it too would only add a traceback per process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _ranges(count: int, shard_size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, count, shard_size):
        yield start, min(start + shard_size, count)


def shard_size_for(count: int, workers: int) -> int:
    """SHARD_SIZE, or less when that would leave workers idle: every worker gets a few shards."""
    return max(1, min(SHARD_SIZE, -(-count // (workers * SHARDS_PER_WORKER))))


def iter_shards(
    config: GenerationConfig, *, workers: int = 1, suffix: str = ".jsonl", shard_size: int | None = None
) -> Iterator[Shard]:
    """Every shard of `config`, in index order, generated by `workers` processes (1: in this one)."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    size = shard_size or shard_size_for(config.count, workers)
    ranges = _ranges(config.count, size)
    if workers == 1 or config.count <= size:
        for start, stop in ranges:
            yield generate_shard(config, start, stop, suffix)
        return
    context = _context()
    if context.get_start_method() == "fork":
        # Loaded once here, inherited by every worker instead of loaded by each (~0.2 s of CPU apiece).
        load_catalog()
        process_faker()  # built before workers fork (the first costs ~70 ms of imports)
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_leave_interrupts_to_parent)
    in_flight: deque[Future[Shard]] = deque()
    try:
        for start, stop in ranges:
            in_flight.append(executor.submit(generate_shard, config, start, stop, suffix))
            if len(in_flight) >= workers * SHARDS_PER_WORKER:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
    except BrokenProcessPool:
        raise GenerationError(
            "a generating worker process died (out of memory, or killed); nothing was written. Try fewer --workers."
        ) from None
    finally:
        # An error, an interrupt or a consumer that stops early: drop the queued shards, don't wait for them.
        executor.shutdown(wait=True, cancel_futures=True)


def iter_generated(config: GenerationConfig, *, workers: int = 1) -> Iterator[Scenario]:
    """The scenarios of `config` in index order, generated by `workers` processes (same as iter_scenarios)."""
    for shard in iter_shards(config, workers=workers):
        # split(b"\n"), not splitlines(): JSON escapes newlines but not U+2028 and its kin inside strings.
        for line in shard.data.split(b"\n"):
            if line:
                yield Scenario.model_validate_json(line)


def write_generated(
    path: str | Path,
    config: GenerationConfig,
    *,
    workers: int | None = None,
    on_progress: Progress | None = None,
    shard_size: int | None = None,
) -> GenerationReport:
    """Generate `config` into a .jsonl or .csv file, atomically, with `workers` processes (None: all cores
    from PARALLEL_FROM scenarios on); the bytes are those of a one-process run."""
    path = Path(path)
    if path.suffix.lower() not in (".jsonl", ".csv"):
        raise ScenarioFileError(f"{path}: unsupported file type {path.suffix!r}; use .jsonl or .csv")
    workers = default_workers(config.count) if workers is None else workers
    started = time.perf_counter()
    openings: set[int] = set()
    checked = written = 0
    with open_atomic(path, "wb") as handle:
        if path.suffix.lower() == ".csv":
            handle.write(csv_header().encode())
        for shard in iter_shards(config, workers=workers, suffix=path.suffix, shard_size=shard_size):
            handle.write(shard.data)
            for digest in shard.openings[: max(0, DISTINCT_LIMIT - checked)]:
                openings.add(digest)
                checked += 1
            written += shard.size
            if on_progress is not None:
                on_progress(written, config.count)
    return GenerationReport(
        path=path,
        count=written,
        workers=workers,
        seconds=time.perf_counter() - started,
        distinct_openings=len(openings),
        openings_checked=checked,
    )
