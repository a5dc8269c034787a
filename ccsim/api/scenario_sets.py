"""Scenario sets: generate them from the intent catalog, load them from files, save them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from ccsim.contact_center.models import Difficulty, Scenario, Split
from ccsim.contact_center.taxonomy import Route
from ccsim.scenarios.generator import GenerationConfig
from ccsim.scenarios.generator import generate_scenarios as _generate
from ccsim.scenarios.importer import import_scenarios
from ccsim.scenarios.io import ScenarioFileError, write_scenarios


def generate_scenarios(
    count: int,
    *,
    seed: int = 7,
    split: Split | str | None = None,
    route_mix: Mapping[Route | str, float] | None = None,
    difficulty_mix: Mapping[Difficulty | str, float] | None = None,
) -> list[Scenario]:
    """`count` scenarios from the intent catalog with faker; the same arguments give the same scenarios.

    `split` puts every scenario in one split (default: 80/10/10 train/val/test by id). The mixes weight
    routes and difficulties (e.g. `{"fraud": 2, "disputes": 1}`); routes default to balanced.
    """
    fields: dict[str, object] = {"count": count, "seed": seed, "split": split}
    if route_mix is not None:
        fields["route_mix"] = dict(route_mix)
    if difficulty_mix is not None:
        fields["difficulty_mix"] = dict(difficulty_mix)
    return _generate(GenerationConfig.model_validate(fields))


def load_scenarios(path: str | Path, *, skip_invalid: bool = False) -> list[Scenario]:
    """Scenarios from a JSONL or CSV file of full scenarios or minimal records (id, opening_message,
    expected_route, needs_human, optional source), completed deterministically from the generator.

    Raises `ScenarioFileError` naming the file and line of the first bad record, or, with
    `skip_invalid=True`, keeps the good records and drops the rest. A file with no scenarios is an error.
    """
    result = import_scenarios(path, skip_invalid=skip_invalid)
    if not result.scenarios:
        raise ScenarioFileError(f"{path}: no scenarios in this file")
    return list(result.scenarios)


def save_scenarios(path: str | Path, scenarios: Iterable[Scenario]) -> int:
    """Write scenarios as JSONL (or CSV for a .csv path); returns how many were written."""
    return write_scenarios(path, scenarios)
