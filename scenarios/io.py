"""Scenario files (JSONL, one object per line, or CSV, one row each): parsing and validating records, and
writing. The one reader built on these is `ccsim.scenarios.importer.import_scenarios`.

Every problem names the file and the line, so a user can fix their data without reading a traceback.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ccsim.contact_center.files import open_atomic
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.taxonomy import UnknownRouteError, parse_route
from ccsim.scenarios.catalog import load_catalog

SUFFIXES = (".jsonl", ".csv")
# Scenario fields that a CSV cell holds as JSON text.
_JSON_COLUMNS = frozenset(
    {"customer", "facts", "tags", "bank_notes", "required_state", "handoff_facts", "other_issues"}
)
_BOOL_COLUMNS = frozenset({"needs_human", "clarification_needed"})
_INT_COLUMNS = frozenset({"seed", "schema_version"})
_TRUE = frozenset({"true", "yes", "y", "1", "t"})
_FALSE = frozenset({"false", "no", "n", "0", "f"})


class ScenarioFileError(ValueError):
    """A scenario file that cannot be read; the message names the file and the line."""


class ReadResult(BaseModel):
    """The scenarios read, and the (line, error) of every record that was skipped."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    scenarios: list[Scenario] = Field(default_factory=list)
    problems: list[tuple[int, str]] = Field(default_factory=list)


class RecordError(ValueError):
    """One bad record; the reader adds the file and line."""


def parse_bool(value: object) -> bool:
    """true/false/yes/no/1/0 (any case) as a bool."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RecordError(f"expected true/false/yes/no/1/0, got {value!r}")


def describe_validation_error(exc: ValidationError) -> str:
    """Pydantic's errors as one short line: 'field.path: message; ...'."""
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _csv_cell(column: str, value: str) -> Any:
    if column in _JSON_COLUMNS:
        if value.strip() == "":
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise RecordError(f"column {column!r} is not valid JSON: {exc.msg}") from None
    if column in _BOOL_COLUMNS:
        return parse_bool(value)
    if column in _INT_COLUMNS:
        try:
            return int(value)
        except ValueError:
            raise RecordError(f"column {column!r} must be an integer, got {value!r}") from None
    return None if value == "" else value


def iter_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | RecordError]]:
    """(line, raw record) per non-blank record; a record that cannot be parsed comes as a RecordError."""
    if path.suffix.lower() not in SUFFIXES:
        raise ScenarioFileError(f"{path}: unsupported file type {path.suffix!r}; use .jsonl or .csv")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ScenarioFileError(f"{path}: not UTF-8 text ({exc.reason})") from None
    if not text.strip():
        raise ScenarioFileError(f"{path}: file is empty")
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, RecordError(f"malformed JSON: {exc.msg} (column {exc.colno})")
                continue
            yield number, data if isinstance(data, dict) else RecordError("expected a JSON object")
        return
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ScenarioFileError(f"{path}: CSV has no header row")
    start = 2
    for row in reader:
        number, start = start, reader.line_num + 1
        if None in row:
            yield number, RecordError("row has more cells than the header")
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        try:
            yield number, {k: _csv_cell(k, v or "") for k, v in row.items() if k}
        except RecordError as exc:
            yield number, exc


def validate_scenario_record(data: dict[str, Any]) -> Scenario:
    """A raw record as a Scenario, with clear errors for unknown routes and intents."""
    if "expected_route" in data:
        try:
            parse_route(str(data["expected_route"]))
        except UnknownRouteError as exc:
            raise RecordError(str(exc)) from None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise RecordError(describe_validation_error(exc)) from None
    if not load_catalog().has(scenario.intent):
        raise RecordError(f"unknown intent {scenario.intent!r}")
    return scenario


def collect(path: Path, records: Iterable[tuple[int, Any]], *, skip_invalid: bool, convert: Any) -> ReadResult:
    """Convert each record; raise on the first problem unless skip_invalid, then report them all."""
    result = ReadResult()
    seen: dict[str, int] = {}
    for number, record in records:
        try:
            if isinstance(record, RecordError):
                raise record
            scenario = convert(number, record)
            if scenario.id in seen:
                raise RecordError(f"duplicate id {scenario.id!r} (first on line {seen[scenario.id]})")
        except (RecordError, ValueError) as exc:
            if not skip_invalid:
                raise ScenarioFileError(f"{path}, line {number}: {exc}") from None
            result.problems.append((number, str(exc)))
            continue
        seen[scenario.id] = number
        result.scenarios.append(scenario)
    return result


def dumps_scenario(scenario: Scenario) -> str:
    """One scenario as compact JSON; same scenario, same bytes."""
    return scenario.model_dump_json()


def _csv_text(scenarios: Iterable[Scenario]) -> str:
    columns = list(Scenario.model_fields)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for scenario in scenarios:
        data = scenario.model_dump(mode="json")
        writer.writerow(
            {
                k: json.dumps(v, separators=(",", ":"))
                if k in _JSON_COLUMNS
                else ("" if v is None else str(v).lower() if isinstance(v, bool) else v)
                for k, v in data.items()
            }
        )
    return buffer.getvalue()


def write_scenarios(path: str | Path, scenarios: Iterable[Scenario]) -> int:
    """Write scenarios atomically (the old file stays whole if anything fails); returns how many were written."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ScenarioFileError(f"{path}: unsupported file type {path.suffix!r}; use .jsonl or .csv")
    count = 0
    with open_atomic(path) as handle:
        if path.suffix.lower() == ".csv":
            items = list(scenarios)
            count = len(items)
            handle.write(_csv_text(items))
        else:
            # Streamed: a million scenarios never sit in memory as one string.
            for scenario in scenarios:
                handle.write(dumps_scenario(scenario))
                handle.write("\n")
                count += 1
    return count
