from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest

from ccsim.contact_center.models import Split
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from ccsim.scenarios.importer import import_scenarios, index_scenarios
from ccsim.scenarios.io import ScenarioFile, ScenarioFileError, dumps_scenario, write_scenarios


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


# ------------------------------------------------------------------ the lazy, file-backed sequence (issue 11)


def _lazy_file(tmp_path: Path, scenarios) -> Path:
    """A file a person might have: a byte-order mark, blank lines, Windows line endings on one record."""
    lines = _lines(scenarios)
    text = "\ufeff" + lines[0] + "\n\n" + lines[1] + "\r\n" + "\n".join(lines[2:]) + "\n   \n"
    path = tmp_path / "lazy.jsonl"
    path.write_text(text, encoding="utf-8")
    return path


def test_lazy_file_is_the_eager_list(tmp_path: Path, scenarios) -> None:
    path = _lazy_file(tmp_path, scenarios)
    lazy = index_scenarios(path)
    eager = import_scenarios(path).scenarios
    assert isinstance(lazy, ScenarioFile) and len(lazy) == len(eager) == 12
    assert list(lazy) == eager and list(lazy) == eager  # iterates again, from the file
    assert lazy[0] == eager[0] and lazy[-1] == eager[-1] and lazy[5] == eager[5]
    assert list(lazy.ids) == [s.id for s in eager]
    assert list(lazy.line_numbers)[:3] == [1, 3, 4]
    with pytest.raises(IndexError):
        lazy[12]


def test_lazy_slices_are_views(tmp_path: Path, scenarios) -> None:
    lazy = index_scenarios(_lazy_file(tmp_path, scenarios))
    view = lazy[2:8:2]
    assert isinstance(view, ScenarioFile)
    assert list(view) == scenarios[2:8:2] and view[1] == scenarios[4] and len(lazy[:0]) == 0


def test_lazy_file_holds_no_scenario(tmp_path: Path, scenarios) -> None:
    """What makes it flat: the object holds offsets and ids, never a parsed record."""
    lazy = index_scenarios(_lazy_file(tmp_path, scenarios))
    held = pickle.dumps(lazy)
    assert len(held) < 2_000 < len(dumps_scenario(scenarios[0]))
    assert list(pickle.loads(held)) == scenarios  # a worker process can read its own share


def test_lazy_split_and_skip_invalid(tmp_path: Path, scenarios) -> None:
    lines = _lines(scenarios)
    lines[1] = "{not json"
    path = _write(tmp_path / "s.jsonl", lines)
    lazy = index_scenarios(path, skip_invalid=True)
    assert lazy.problems == import_scenarios(path, skip_invalid=True).problems == [(2, lazy.problems[0][1])]
    assert [s.id for s in lazy] == [s.id for i, s in enumerate(scenarios) if i != 1]
    train = index_scenarios(path, skip_invalid=True, split=Split.TRAIN)
    assert [s.id for s in train] == [s.id for i, s in enumerate(scenarios) if i != 1 and s.split is Split.TRAIN]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: lines.__setitem__(1, lines[1][:-5]), r"l\.jsonl, line 2: malformed JSON"),
        (lambda lines: lines.append(lines[0]), r"l\.jsonl, line 13: duplicate id"),
    ],
)
def test_lazy_index_fails_like_the_eager_loader(tmp_path: Path, scenarios, edit, message: str) -> None:
    lines = _lines(scenarios)
    edit(lines)
    path = _write(tmp_path / "l.jsonl", lines)
    with pytest.raises(ScenarioFileError, match=message):
        index_scenarios(path)
    with pytest.raises(ScenarioFileError, match=message):
        import_scenarios(path)


def test_lazy_file_changed_after_loading_is_an_error(tmp_path: Path, scenarios) -> None:
    path = _write(tmp_path / "c.jsonl", _lines(scenarios))
    lazy = index_scenarios(path)
    _write(path, _lines(scenarios[:3]))
    with pytest.raises(ScenarioFileError, match=r"c\.jsonl: the file changed after it was loaded"):
        lazy[5]
    path.unlink()
    with pytest.raises(ScenarioFileError, match="changed after it was loaded"):
        list(lazy)


def test_lazy_needs_jsonl(tmp_path: Path, scenarios) -> None:
    path = tmp_path / "s.csv"
    write_scenarios(path, scenarios)
    with pytest.raises(ScenarioFileError, match=r"only a \.jsonl file can be read lazily"):
        index_scenarios(path)
