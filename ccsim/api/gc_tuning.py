"""Garbage-collector settings for a run's episodes: fewer, cheaper collections (issue 10).

An episode allocates tens of thousands of short-lived objects (messages, pydantic models, HTTP frames). With
CPython's default thresholds (700, 10, 10) the young generation is collected every few hundred allocations,
and every so often a full collection walks the whole heap, most of it the modules a run imports (LangChain,
openai, pydantic, ART: hundreds of thousands of objects, a quarter of a second a walk). `gc.freeze()` moves
what exists before the run into the permanent generation, which no collection walks, and a higher young
threshold makes the young collections rarer (benchmarks/cpu_per_episode.py measures both ways).

In the caller's process the settings hold only while the run plays (`tuned_gc`, a context manager): the
thresholds and the frozen objects are given back on the way out, so a library call leaves the user's
interpreter as it found it. A worker process is ours alone and keeps them until it exits (`tune_worker_gc`).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# Young collections every 10,000 net allocations instead of 700; the older generations keep CPython's ratios.
TUNED_THRESHOLDS = (10_000, 10, 10)


@contextlib.contextmanager
def tuned_gc() -> Iterator[None]:
    """Freeze the objects that exist now and raise the young threshold until the block ends, then restore both.

    Cheap on both sides (freezing and unfreezing move one list; nothing is collected or walked). A block
    entered while the settings are already tuned (a run inside a run, two runs in one loop) changes nothing
    and restores nothing: the outermost block owns them. Objects the caller froze before stay frozen: with
    something already frozen, this block only sets the thresholds (unfreezing would release the caller's too).
    """
    before = gc.get_threshold()
    if before == TUNED_THRESHOLDS:
        yield
        return
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(*TUNED_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if freeze:
            gc.unfreeze()


def tune_worker_gc(*, collect: bool) -> None:
    """A worker process's settings for its whole life, once it has started. `collect`: collect first, so no
    garbage is frozen; a fork skips it, because walking the objects it shares with its parent would write to
    their pages and copy them (memory per worker)."""
    if collect:
        gc.collect()
    gc.freeze()
    gc.set_threshold(*TUNED_THRESHOLDS)
