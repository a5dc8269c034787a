"""`ccsim.generate_scenarios`, `load_scenarios`, `save_scenarios`."""

from __future__ import annotations

from pathlib import Path

import pytest

import ccsim
from ccsim.scenarios.generator import GenerationConfig
from ccsim.scenarios.generator import generate_scenarios as generator_scenarios


def test_generate_is_the_generator_with_friendly_arguments() -> None:
    ours = ccsim.generate_scenarios(20, seed=3, route_mix={"fraud": 1}, split="val")
    theirs = generator_scenarios(GenerationConfig(count=20, seed=3, route_mix={"fraud": 1.0}, split="val"))
    assert [s.model_dump_json() for s in ours] == [s.model_dump_json() for s in theirs]
    assert {s.expected_route.value for s in ours} == {"fraud"} and {s.split.value for s in ours} == {"val"}


def test_save_then_load_round_trips(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(5, seed=9)
    assert ccsim.save_scenarios(tmp_path / "s.jsonl", scenarios) == 5
    assert ccsim.load_scenarios(tmp_path / "s.jsonl") == scenarios


def test_load_accepts_minimal_records_and_names_bad_lines(tmp_path: Path) -> None:
    good = tmp_path / "mine.csv"
    good.write_text("id,opening_message,expected_route,needs_human\nm1,someone used my card in Ohio,fraud,true\n")
    [scenario] = ccsim.load_scenarios(good)
    assert scenario.id == "m1" and scenario.expected_route.value == "fraud"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "opening_message": "hi", "expected_route": "pizza", "needs_human": false}\n')
    with pytest.raises(ccsim.ScenarioFileError, match=r"bad\.jsonl, line 1: .*pizza"):
        ccsim.load_scenarios(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("id,opening_message,expected_route,needs_human\n")
    with pytest.raises(ccsim.ScenarioFileError, match=r"empty\.csv"):
        ccsim.load_scenarios(empty)


def test_lazy_load_is_a_file_backed_sequence_with_the_same_scenarios(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(20, seed=2)
    ccsim.save_scenarios(tmp_path / "s.jsonl", scenarios)
    lazy = ccsim.load_scenarios(tmp_path / "s.jsonl", lazy=True)
    assert not isinstance(lazy, list) and len(lazy) == 20
    assert list(lazy) == scenarios and lazy[3] == scenarios[3] and list(lazy[:7]) == scenarios[:7]
    val = ccsim.load_scenarios(tmp_path / "s.jsonl", lazy=True, split="val")
    assert [s.id for s in val] == [s.id for s in scenarios if s.split.value == "val"] != []
    assert ccsim.load_scenarios(tmp_path / "s.jsonl", split="val") == list(val)


def test_lazy_csv_is_a_list_and_an_empty_split_names_the_file(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(4, seed=2, split="train")
    ccsim.save_scenarios(tmp_path / "s.csv", scenarios)
    assert ccsim.load_scenarios(tmp_path / "s.csv", lazy=True) == scenarios
    with pytest.raises(ccsim.ScenarioFileError, match=r"s\.csv: no scenarios in split 'test'"):
        ccsim.load_scenarios(tmp_path / "s.csv", split="test")


def test_generate_scenario_file_is_public_and_writes_what_generate_returns(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    ccsim.generate_scenario_file(path, 6, seed=11, split="train", workers=1)
    assert [s.id for s in ccsim.load_scenarios(path)] == [
        s.id for s in ccsim.generate_scenarios(6, seed=11, split="train")
    ]
