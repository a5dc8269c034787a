"""`ccsim simulate --scenarios FILE` loads a JSONL file lazily: the run holds offsets, not scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

import ccsim
from ccsim.cli.run_cmd import load_or_generate
from ccsim.scenarios.io import ScenarioFile


def test_a_jsonl_file_is_loaded_lazily_with_its_split_and_limit(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(40, seed=9)
    ccsim.save_scenarios(tmp_path / "s.jsonl", scenarios)
    train = [s for s in scenarios if s.split == "train"]
    assert 3 < len(train) < len(scenarios)
    loaded, source = load_or_generate(tmp_path / "s.jsonl", generate=0, seed=0, split="train", limit=3)
    assert isinstance(loaded, ScenarioFile)
    assert list(loaded) == train[:3]
    assert source == {"scenarios_file": str(tmp_path / "s.jsonl"), "split": "train", "limit": 3}


def test_generated_scenarios_are_filtered_by_split(tmp_path: Path) -> None:
    loaded, source = load_or_generate(None, generate=30, seed=4, split="val", limit=None)
    assert loaded and {s.split for s in loaded} == {"val"}
    assert loaded == [s for s in ccsim.generate_scenarios(30, seed=4) if s.split == "val"]
    assert source == {"generated": 30, "seed": 4, "split": "val"}


def test_a_split_the_file_does_not_have_fails_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ccsim.save_scenarios(tmp_path / "s.jsonl", [s for s in ccsim.generate_scenarios(20, seed=9) if s.split == "train"])
    with pytest.raises(typer.Exit):
        load_or_generate(tmp_path / "s.jsonl", generate=0, seed=0, split="test", limit=None)
    assert "no scenarios in split 'test'" in capsys.readouterr().err
