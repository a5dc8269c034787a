"""Issue 11, "bad input gets a clear error": a fuzz set of malformed scenario files. None may give a traceback
from `ccsim.load_scenarios`, `ccsim scenarios import` or `ccsim simulate -s`; each error is one line naming
the file (and the line, where there is one). Files a user can reasonably have (a byte-order mark) load."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ccsim
from ccsim.cli import app
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from ccsim.scenarios.io import MAX_OPENING_CHARS, ScenarioFileError

MINIMAL = {
    "id": "c1",
    "opening_message": "whats my balance",
    "expected_route": "account_services",
    "needs_human": False,
}
CSV_HEADER = "id,opening_message,expected_route,needs_human\n"
CSV_ROW = "c1,whats my balance,account_services,false\n"


def _full() -> str:
    return _full_scenario()


def _full_scenario() -> str:
    return generate_scenarios(GenerationConfig(count=1, seed=3))[0].model_dump_json()


def _jsonl(*records: object) -> bytes:
    return ("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n").encode()


# name -> (file bytes, the line the error must name, or None for "the file only"; "ok" when it must load)
Case = tuple[bytes, int | str | None]
CASES: dict[str, Callable[[], Case]] = {
    "deep_array.jsonl": lambda: (("[" * 100_000 + "]" * 100_000 + "\n").encode(), 1),
    "deep_object.jsonl": lambda: (_jsonl(MINIMAL, '{"a":' * 100_000 + "1" + "}" * 100_000), 2),
    "deep_in_field.jsonl": lambda: (_jsonl({**MINIMAL, "customer": json.loads("[" * 500 + "]" * 500)}), 1),
    "long_number.jsonl": lambda: (_jsonl('{"id": "c1", "seed": ' + "9" * 5000 + "}"), 1),
    "huge_exponent.jsonl": lambda: (_jsonl(re.sub(r'"apr":[0-9.]+', '"apr":1e999', _full_scenario())), 1),
    "nan.jsonl": lambda: (_jsonl(MINIMAL, re.sub(r'"apr":[0-9.]+', '"apr":NaN', _full_scenario())), 2),
    "infinity.jsonl": lambda: (_jsonl(re.sub(r'"credit_limit":[0-9.]+', '"credit_limit":-Infinity', _full())), 1),
    "lone_surrogate.jsonl": lambda: (_jsonl(MINIMAL, '{"id": "c2", "opening_message": "hi \\ud800", '
                                            '"expected_route": "fraud", "needs_human": true}'), 2),
    "latin1.jsonl": lambda: (_jsonl(MINIMAL) + '{"id": "c2", "opening_message": "café"}\n'.encode("latin-1"), 2),
    "utf16.jsonl": lambda: (json.dumps(MINIMAL).encode("utf-16"), 1),
    "nul_byte.jsonl": lambda: (_jsonl(MINIMAL) + b'{"id": "c\x002"}\n', 2),
    "array.jsonl": lambda: (_jsonl([MINIMAL]), 1),
    "huge_opening.jsonl": lambda: (_jsonl({**MINIMAL, "opening_message": "help " * MAX_OPENING_CHARS}), 1),
    "huge_line.jsonl": lambda: (_jsonl({**MINIMAL, "source": "x" * 2_000_000}), 1),
    "big_cell.csv": lambda: ((CSV_HEADER + "c1," + "a" * 10_000_000 + ",fraud,true\n").encode(), 2),
    "unbalanced_quote.csv": lambda: ((CSV_HEADER + CSV_ROW + 'c2,"never ends,fraud,true\nc3,hi,fraud,true\n').encode(),
                                     3),
    "header_only.csv": lambda: (CSV_HEADER.encode(), None),
    "latin1.csv": lambda: ((CSV_HEADER + CSV_ROW).encode() + "c2,café,fraud,true\n".encode("latin-1"), 3),
    "deep_json_cell.csv": lambda: (("id,opening_message,expected_route,needs_human,customer\n"
                                    'c1,hi,fraud,true,"' + "[" * 100_000 + "]" * 100_000 + '"\n').encode(), 2),
    "nan_json_cell.csv": lambda: ((b"id,opening_message,expected_route,needs_human,facts\n"
                                   b'c1,hi,fraud,true,"{""x"": NaN}"\n'), 2),
    "nul_byte.csv": lambda: ((CSV_HEADER + CSV_ROW).encode() + b"c2,h\x00i,fraud,true\n", 3),
    "bom.csv": lambda: (b"\xef\xbb\xbf" + (CSV_HEADER + CSV_ROW).encode(), "ok"),
    "bom.jsonl": lambda: (b"\xef\xbb\xbf" + _jsonl(MINIMAL), "ok"),
    "crlf.csv": lambda: ((CSV_HEADER + CSV_ROW).replace("\n", "\r\n").encode(), "ok"),
}  # fmt: skip


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    for name, make in CASES.items():
        (folder / name).write_bytes(make()[0])
    return folder


def _expectation(name: str) -> int | str | None:
    return CASES[name]()[1]


def _check_message(message: str, path: Path, line: int | None) -> None:
    assert "Traceback" not in message
    assert str(path) in message or path.name in message, message
    if line is not None:
        assert f"line {line}" in message, message
    first = message.strip().splitlines()[0]
    assert len(first) < 400, first


@pytest.mark.parametrize("name", sorted(CASES))
def test_load_scenarios_names_the_file_and_line(fuzz_dir: Path, name: str) -> None:
    path = fuzz_dir / name
    expected = _expectation(name)
    if expected == "ok":
        scenarios = ccsim.load_scenarios(path)
        assert [s.id for s in scenarios] == ["c1"]
        assert scenarios[0].opening_message == "whats my balance"
        return
    with pytest.raises(ScenarioFileError) as caught:
        ccsim.load_scenarios(path)
    assert isinstance(expected, int | None)
    _check_message(str(caught.value), path, expected)


@pytest.mark.parametrize("name", sorted(CASES))
def test_skip_invalid_never_raises_more_than_a_file_error(fuzz_dir: Path, name: str) -> None:
    try:
        scenarios = ccsim.load_scenarios(fuzz_dir / name, skip_invalid=True)
    except ScenarioFileError as exc:
        _check_message(str(exc), fuzz_dir / name, None)
    else:
        assert all(s.id for s in scenarios)


runner = CliRunner()


@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n]()[1] != "ok"))
@pytest.mark.parametrize("command", ["import", "simulate"])
def test_cli_gives_one_line_not_a_traceback(fuzz_dir: Path, tmp_path: Path, name: str, command: str) -> None:
    path = fuzz_dir / name
    args = (
        ["scenarios", "import", str(path), "-o", str(tmp_path / "out.jsonl")]
        if command == "import"
        else ["simulate", "-s", str(path), "--planner", "rules", "-o", str(tmp_path / "run")]
    )
    result = runner.invoke(app, args, env={"COLUMNS": "250"})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code != 0
    expected = _expectation(name)
    assert isinstance(expected, int | None)
    _check_message(result.output, path, expected)


@pytest.mark.parametrize("name", ["nan.jsonl", "infinity.jsonl", "huge_exponent.jsonl", "nan_json_cell.csv"])
def test_nan_and_infinity_are_rejected_by_name(fuzz_dir: Path, name: str) -> None:
    with pytest.raises(ScenarioFileError, match=r"NaN and Infinity are rejected"):
        ccsim.load_scenarios(fuzz_dir / name)


def test_opening_cap_is_a_clear_import_error(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(_jsonl({**MINIMAL, "opening_message": "x" * (MAX_OPENING_CHARS + 1)}))
    with pytest.raises(ScenarioFileError, match=r"line 1: opening_message is 4,001 characters; the limit is 4,000"):
        ccsim.load_scenarios(path)
    path.write_bytes(_jsonl({**MINIMAL, "opening_message": "x" * MAX_OPENING_CHARS}))
    assert len(ccsim.load_scenarios(path)[0].opening_message) == MAX_OPENING_CHARS


@pytest.mark.parametrize("name", sorted(n for n in CASES if n.endswith(".jsonl")))
def test_lazy_loading_gives_the_same_errors(fuzz_dir: Path, name: str) -> None:
    """`load_scenarios(lazy=True)` checks every record up front: the same message, the same line, before any use."""
    path = fuzz_dir / name
    if _expectation(name) == "ok":
        assert list(ccsim.load_scenarios(path, lazy=True)) == ccsim.load_scenarios(path)
        return
    with pytest.raises(ScenarioFileError) as eager:
        ccsim.load_scenarios(path)
    with pytest.raises(ScenarioFileError) as lazy:
        ccsim.load_scenarios(path, lazy=True)
    assert str(lazy.value) == str(eager.value)
