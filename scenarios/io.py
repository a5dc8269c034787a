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
# Caps that keep a hostile or broken file from stalling a run: an opening message is a customer's first
# message, never a document; a record is one scenario (a full one with 90 days of transactions is ~30 KB).
MAX_OPENING_CHARS = 4000
MAX_RECORD_CHARS = 1_000_000
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


def _reject_constant(name: str) -> Any:
    raise RecordError(f"{name} is not a number a scenario can hold (NaN and Infinity are rejected)")


def _finite_float(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        _reject_constant(text)
    return value


def _no_surrogates(value: Any) -> None:
    """Lone surrogates (a JSON "\\ud800") decode but can never be written back as UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise RecordError("text holds an invalid unicode escape (a lone surrogate)") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def loads_json(text: str) -> Any:
    """JSON text as Python values, with one clear RecordError for anything a scenario cannot hold: malformed
    JSON, NaN or Infinity, nesting too deep to read, numbers too long to convert, invalid unicode."""
    if len(text) > MAX_RECORD_CHARS:
        raise RecordError(f"record is {len(text):,} characters; the limit is {MAX_RECORD_CHARS:,}")
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise RecordError(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise RecordError("JSON nested too deeply") from None
    except RecordError:
        raise
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise RecordError(f"unreadable JSON value: {str(exc)[:120]}") from None
    _no_surrogates(data)
    return data


def check_sizes(data: dict[str, Any]) -> None:
    """An opening message longer than MAX_OPENING_CHARS is an error, not a stall at simulation time."""
    opening = data.get("opening_message")
    if isinstance(opening, str) and len(opening) > MAX_OPENING_CHARS:
        raise RecordError(
            f"opening_message is {len(opening):,} characters; the limit is {MAX_OPENING_CHARS:,} "
            "(a customer's first message, not a document)"
        )


def _csv_cell(column: str, value: str) -> Any:
    if column in _JSON_COLUMNS:
        if value.strip() == "":
            return None
        try:
            return loads_json(value)
        except RecordError as exc:
            raise RecordError(f"column {column!r} is not valid JSON: {exc}") from None
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
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioFileError(f"{path}: no such file") from None
    try:
        # utf-8-sig: a byte-order mark (Excel writes one) is accepted and dropped.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioFileError(
            f"{path}, line {bad_line}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8"
        ) from None
    if not text.strip():
        raise ScenarioFileError(f"{path}: file is empty")
    if "\x00" in text:
        nul_line = text.count("\n", 0, text.index("\x00")) + 1
        raise ScenarioFileError(f"{path}, line {nul_line}: a NUL byte; this is not a text file (UTF-16?)")
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                data = loads_json(line)
            except RecordError as exc:
                yield number, exc
                continue
            yield number, data if isinstance(data, dict) else RecordError("expected a JSON object")
        return
    yield from _csv_records(path, text)


def _csv_records(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any] | RecordError]]:
    # strict: an unbalanced quote is an error instead of one cell swallowing the rest of the file.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise ScenarioFileError(f"{path}, line 1: unreadable CSV header ({exc})") from None
    if not fieldnames:
        raise ScenarioFileError(f"{path}: CSV has no header row")
    start = 2
    rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader cannot resynchronise after a broken quote or an oversized cell: stop here.
            reason = str(exc)
            if "field larger than field limit" in reason:
                reason = f"a cell is larger than {csv.field_size_limit():,} characters"
            elif "unexpected end of data" in reason or "expected" in reason:
                reason = f"unbalanced quote ({reason}); the quoted cell starts on this line or the next"
            yield start, RecordError(f"unreadable CSV: {reason}")
            return
        number, start = start, reader.line_num + 1
        rows += 1
        if None in row:
            yield number, RecordError("row has more cells than the header")
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        try:
            yield number, {k: _csv_cell(k, v or "") for k, v in row.items() if k}
        except RecordError as exc:
            yield number, exc
    if rows == 0:
        raise ScenarioFileError(f"{path}: the CSV has a header row but no records")


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
            check_sizes(record)
            try:
                scenario = convert(number, record)
            except RecursionError:
                raise RecordError("record nested too deeply") from None
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
