from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from ccsim.scenarios.importer import import_scenarios
from ccsim.scenarios.io import ScenarioFileError, dumps_scenario, write_scenarios


@pytest.fixture(scope="module")
def scenarios():
    return generate_scenarios(GenerationConfig(count=12, seed=1))


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_round_trip(tmp_path: Path, scenarios, suffix: str) -> None:
    path = tmp_path / f"s{suffix}"
    assert write_scenarios(path, scenarios) == len(scenarios)
    result = import_scenarios(path)
    assert result.problems == []
    assert [dumps_scenario(s) for s in result.scenarios] == [dumps_scenario(s) for s in scenarios]


def _lines(scenarios) -> list[str]:
    return [dumps_scenario(s) for s in scenarios]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text("\n  \n")
    with pytest.raises(ScenarioFileError, match=r"e\.jsonl: file is empty"):
        import_scenarios(path)


def test_malformed_line_names_file_and_line(tmp_path: Path, scenarios) -> None:
    lines = _lines(scenarios[:3])
    lines[1] = lines[1][:-5]
    path = _write(tmp_path / "m.jsonl", lines)
    with pytest.raises(ScenarioFileError, match=r"m\.jsonl, line 2: malformed JSON"):
        import_scenarios(path)


def _edited(scenario, **changes) -> str:
    data = json.loads(dumps_scenario(scenario))
    data.update(changes)
    return json.dumps(data)


def test_unknown_route(tmp_path: Path, scenarios) -> None:
    path = _write(tmp_path / "r.jsonl", [_lines(scenarios)[0], _edited(scenarios[1], expected_route="space")])
    with pytest.raises(ScenarioFileError, match=r"line 2: unknown route 'space'"):
        import_scenarios(path)


def test_unknown_intent(tmp_path: Path, scenarios) -> None:
    path = _write(tmp_path / "i.jsonl", [_edited(scenarios[0], intent="teleport")])
    with pytest.raises(ScenarioFileError, match=r"line 1: unknown intent 'teleport'"):
        import_scenarios(path)


def test_wrong_type(tmp_path: Path, scenarios) -> None:
    path = _write(tmp_path / "t.jsonl", [_edited(scenarios[0], seed="not a number")])
    with pytest.raises(ScenarioFileError, match=r"line 1: seed"):
        import_scenarios(path)


def test_skip_invalid_keeps_good_records(tmp_path: Path, scenarios) -> None:
    lines = _lines(scenarios[:4])
    lines[1] = "{not json"
    lines[3] = _edited(scenarios[3], needs_human="perhaps")
    result = import_scenarios(_write(tmp_path / "s.jsonl", lines), skip_invalid=True)
    assert [s.id for s in result.scenarios] == [scenarios[0].id, scenarios[2].id]
    assert [line for line, _ in result.problems] == [2, 4]


def test_duplicate_ids(tmp_path: Path, scenarios) -> None:
    line = _lines(scenarios)[0]
    with pytest.raises(ScenarioFileError, match="duplicate id"):
        import_scenarios(_write(tmp_path / "d.jsonl", [line, line]))


def test_atomic_write_leaves_no_partial_file(tmp_path: Path, scenarios) -> None:
    path = tmp_path / "out.jsonl"
    write_scenarios(path, scenarios[:2])
    before = path.read_bytes()

    def exploding():
        yield scenarios[0]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_scenarios(path, exploding())
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl"]


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(ScenarioFileError, match="unsupported"):
        import_scenarios(tmp_path / "x.txt")
