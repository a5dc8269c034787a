"""Scenario sets: generate them from the intent catalog (in this process, across processes, or straight into a
file), load them from files (into a list, or lazily from a JSONL file), save them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal, overload

from ccsim.contact_center.models import Difficulty, Scenario, Split
from ccsim.contact_center.taxonomy import Route
from ccsim.scenarios.generator import GenerationConfig, iter_scenarios
from ccsim.scenarios.importer import import_scenarios, index_scenarios
from ccsim.scenarios.io import ScenarioFileError, write_scenarios
from ccsim.scenarios.sharding import GenerationReport, iter_generated, write_generated


def _config(
    count: int,
    seed: int,
    split: Split | str | None,
    route_mix: Mapping[Route | str, float] | None,
    difficulty_mix: Mapping[Difficulty | str, float] | None,
) -> GenerationConfig:
    fields: dict[str, object] = {"count": count, "seed": seed, "split": split}
    if route_mix is not None:
        fields["route_mix"] = dict(route_mix)
    if difficulty_mix is not None:
        fields["difficulty_mix"] = dict(difficulty_mix)
    return GenerationConfig.model_validate(fields)


def generate_scenarios(
    count: int,
    *,
    seed: int = 7,
    split: Split | str | None = None,
    route_mix: Mapping[Route | str, float] | None = None,
    difficulty_mix: Mapping[Difficulty | str, float] | None = None,
    workers: int = 1,
) -> list[Scenario]:
    """`count` scenarios from the intent catalog with faker; the same arguments give the same scenarios.

    `split` puts every scenario in one split (default: 80/10/10 train/val/test by id). The mixes weight
    routes and difficulties (e.g. `{"fraud": 2, "disputes": 1}`); routes default to balanced. `workers`
    generates in that many processes, with the same result (this process still parses every scenario, so
    the gain is below `workers`x; for large counts `generate_scenario_file` streams to disk instead).
    """
    config = _config(count, seed, split, route_mix, difficulty_mix)
    if workers == 1:
        return list(iter_scenarios(config))
    return list(iter_generated(config, workers=workers))


def generate_scenario_file(
    path: str | Path,
    count: int,
    *,
    seed: int = 7,
    split: Split | str | None = None,
    route_mix: Mapping[Route | str, float] | None = None,
    difficulty_mix: Mapping[Difficulty | str, float] | None = None,
    workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> GenerationReport:
    """Generate `count` scenarios (arguments as `generate_scenarios`) straight into a .jsonl or .csv file,
    written atomically and streamed: memory stays flat for a million. `workers` processes generate them
    (None: every core from 1,000 scenarios on, one below), and the file is byte-identical to a one-process
    run. `on_progress(written, total)` is called as shards land."""
    config = _config(count, seed, split, route_mix, difficulty_mix)
    return write_generated(path, config, workers=workers, on_progress=on_progress)


@overload
def load_scenarios(
    path: str | Path, *, skip_invalid: bool = ..., lazy: Literal[False] = ..., split: Split | str | None = ...
) -> list[Scenario]: ...
@overload
def load_scenarios(
    path: str | Path, *, skip_invalid: bool = ..., lazy: bool, split: Split | str | None = ...
) -> Sequence[Scenario]: ...
def load_scenarios(
    path: str | Path, *, skip_invalid: bool = False, lazy: bool = False, split: Split | str | None = None
) -> Sequence[Scenario]:
    """Scenarios from a JSONL or CSV file of full scenarios or minimal records (id, opening_message,
    expected_route, needs_human, optional source), completed deterministically from the generator.

    Raises `ScenarioFileError` naming the file and line of the first bad record, or, with
    `skip_invalid=True`, keeps the good records and drops the rest. A file with no scenarios is an error.
    `split` keeps the scenarios of that split only.

    `lazy=True` (JSONL files) checks every record now but holds only where each starts: the result is a
    read-only sequence (len, indexing, slicing, iteration) that parses a scenario when it is accessed, so a
    run over 10,000 scenarios does not hold them all. A CSV file is always read into a list.
    """
    path = Path(path)
    wanted = Split(split) if split is not None else None
    scenarios: Sequence[Scenario]
    if lazy and path.suffix.lower() == ".jsonl":
        scenarios = index_scenarios(path, skip_invalid=skip_invalid, split=wanted)
    else:
        found = import_scenarios(path, skip_invalid=skip_invalid).scenarios
        scenarios = [s for s in found if wanted is None or s.split == wanted]
    if not scenarios:
        in_split = f" in split {wanted.value!r}" if wanted is not None else ""
        raise ScenarioFileError(f"{path}: no scenarios{in_split} in this file")
    return scenarios


def save_scenarios(path: str | Path, scenarios: Iterable[Scenario]) -> int:
    """Write scenarios as JSONL (or CSV for a .csv path); returns how many were written."""
    return write_scenarios(path, scenarios)
