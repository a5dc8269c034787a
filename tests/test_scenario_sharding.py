"""Issue 10 item 4: scenario generation sharded across processes gives the bytes of a one-process run, written
in index order by one writer, streamed (a few shards in flight), atomically."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from itertools import pairwise
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ccsim
from ccsim.api.scenario_sets import generate_scenario_file
from ccsim.cli import app
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from ccsim.scenarios.io import ScenarioFileError, write_scenarios
from ccsim.scenarios.sharding import (
    PARALLEL_FROM,
    GenerationError,
    _context,
    available_cores,
    default_workers,
    generate_shard,
    iter_shards,
    write_generated,
)

CONFIGS = {
    "default": GenerationConfig(count=23, seed=7),
    "mixed": GenerationConfig(
        count=17, seed=3, route_mix={"fraud": 2, "disputes": 1}, difficulty_mix={"adversarial": 1, "hard": 1}
    ),
    "split": GenerationConfig(count=9, seed=11, split="val"),
}


def _reference(tmp_path: Path, config: GenerationConfig, suffix: str = ".jsonl") -> bytes:
    """The one-process bytes: the generator's list through the ordinary writer."""
    path = tmp_path / f"reference{suffix}"
    write_scenarios(path, generate_scenarios(config))
    return path.read_bytes()


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_shards_concatenate_to_the_generator_output(tmp_path: Path, name: str) -> None:
    config = CONFIGS[name]
    bounds = [0, 1, 5, 6, config.count]
    text = "".join(generate_shard(config, a, b).text for a, b in pairwise(bounds))
    assert text.encode() == _reference(tmp_path, config)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_two_workers_write_the_one_process_bytes(tmp_path: Path, suffix: str) -> None:
    config = CONFIGS["default"]
    path = tmp_path / f"out{suffix}"
    seen: list[int] = []
    report = write_generated(path, config, workers=2, shard_size=4, on_progress=lambda done, _n: seen.append(done))
    assert path.read_bytes() == _reference(tmp_path, config, suffix)
    assert report.count == 23 and report.workers == 2
    # One writer, in index order: progress grows shard by shard to the total.
    assert seen == [4, 8, 12, 16, 20, 23]
    openings = {s.opening_message for s in generate_scenarios(config)}
    assert report.distinct_openings == len(openings) and report.openings_checked == 23


def test_spawned_workers_when_threads_run(tmp_path: Path) -> None:
    """Forking beside running threads is unsafe, so then workers are spawned; the bytes are the same."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert _context().get_start_method() == "spawn"
        config = GenerationConfig(count=6, seed=5)
        write_generated(tmp_path / "s.jsonl", config, workers=2, shard_size=3)
    finally:
        stop.set()
        other.join()
    assert (tmp_path / "s.jsonl").read_bytes() == _reference(tmp_path, config)


def test_a_failure_leaves_the_old_file_and_no_workers(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text("old\n")

    def explode(done: int, _total: int) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_generated(path, GenerationConfig(count=12, seed=1), workers=2, shard_size=3, on_progress=explode)
    assert path.read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["s.jsonl"]


def test_a_consumer_that_stops_early_shuts_the_pool(tmp_path: Path) -> None:
    shards = iter_shards(GenerationConfig(count=40, seed=2), workers=2, shard_size=2)
    first = next(shards)
    shards.close()  # runs the generator's finally: queued shards cancelled, workers joined
    assert first.start == 0 and first.size == 2
    assert not [t for t in threading.enumerate() if "ExecutorManager" in type(t).__name__]


def test_default_workers_use_every_core_for_large_counts_only() -> None:
    assert default_workers(PARALLEL_FROM - 1) == 1
    assert default_workers(PARALLEL_FROM) == available_cores() >= 1


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ScenarioFileError, match="unsupported file type"):
        write_generated(tmp_path / "s.txt", GenerationConfig(count=2))
    with pytest.raises(ValueError, match="workers must be at least 1"):
        write_generated(tmp_path / "s.jsonl", GenerationConfig(count=2), workers=0)
    assert not (tmp_path / "s.jsonl").exists()


def test_api_generate_with_workers_is_the_same(tmp_path: Path) -> None:
    one = ccsim.generate_scenarios(12, seed=4, split="test")
    assert ccsim.generate_scenarios(12, seed=4, split="test", workers=2) == one
    report = generate_scenario_file(tmp_path / "s.jsonl", 12, seed=4, split="test", workers=2)
    assert report.count == 12
    ccsim.save_scenarios(tmp_path / "ref.jsonl", one)
    assert (tmp_path / "s.jsonl").read_bytes() == (tmp_path / "ref.jsonl").read_bytes()


def test_cli_workers_give_the_same_bytes(tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.jsonl"
        args = ["scenarios", "generate", "-n", "14", "--seed", "8", "--workers", workers, "-o", str(out)]
        result = runner.invoke(app, args, env={"COLUMNS": "250"})
        assert result.exit_code == 0, result.output
        assert f"wrote 14 scenarios to {out}" in result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == _reference(tmp_path, GenerationConfig(count=14, seed=8))


def test_cli_refuses_an_unknown_suffix_before_any_work(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scenarios", "generate", "-n", "3", "-o", str(tmp_path / "s.txt")])
    assert result.exit_code != 0 and "unsupported file type '.txt'" in result.output


def test_a_killed_worker_is_one_clear_error_and_no_file(tmp_path: Path) -> None:
    def kill_a_worker(done: int, _total: int) -> None:
        if done == 2:
            os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)

    path = tmp_path / "s.jsonl"
    with pytest.raises(GenerationError, match="worker process died"):
        write_generated(path, GenerationConfig(count=60, seed=1), workers=2, shard_size=2, on_progress=kill_a_worker)
    assert not path.exists() and os.listdir(tmp_path) == []
