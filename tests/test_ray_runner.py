"""Ray: a run played by Ray actors on a local Ray instance matches a run in one process (issue 10)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ccsim
from ccsim.api.ray_runner import actor_count
from tests.test_workers import folder_records

ray = pytest.importorskip("ray", reason='Ray is not installed (pip install "ccsim[ray]")')


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    # One small local instance for the module: starting Ray takes seconds, the tests reuse it.
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_actors_play_the_same_episodes_into_the_same_folder_as_one_process(local_ray: Any, tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(16, seed=41)
    # Without trajectories the actors need not import ART (seconds each); the workers' test covers their order.
    options: dict[str, Any] = {"trials": 2, "concurrency": 6, "trajectories": False}
    ccsim.simulate(scenarios, out=tmp_path / "one", workers=1, **options)
    run = ccsim.simulate(scenarios, out=tmp_path / "ray", ray_address="local", **options)
    expected = [f"{s.id}#{t}" for s in scenarios for t in range(2)]
    records = folder_records(tmp_path / "one")
    assert [r["episode_id"] for r in records] == expected
    assert folder_records(tmp_path / "ray") == records
    assert run.summary.episodes == 32 and not run.failed
    assert local_ray.is_initialized()  # the caller's Ray instance is left running for its next run


def test_one_actor_per_cluster_cpu_unless_asked_but_never_more_than_the_run_can_use() -> None:
    assert actor_count(None, cluster_cpus=8, episodes=1000, concurrency=256) == 8
    assert actor_count(3, cluster_cpus=8, episodes=1000, concurrency=256) == 3
    assert actor_count(None, cluster_cpus=8, episodes=1000, concurrency=2) == 2
    assert actor_count(None, cluster_cpus=8, episodes=5, concurrency=256) == 5
