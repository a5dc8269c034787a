"""Scenario files (JSONL, one object per line, or CSV, one row each): parsing and validating records, and
writing. The readers built on these are `ccsim.scenarios.importer.import_scenarios` (a list) and
`index_scenarios` (a `ScenarioFile`: a JSONL file checked once, then read record by record on access, so a
large file is never held in memory). JSONL is read one line at a time either way.

Every problem names the file and the line, so a user can fix their data without reading a traceback.
"""

from __future__ import annotations

import csv
import io
import json
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, overload

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ccsim.contact_center.files import open_atomic
from ccsim.contact_center.models import Scenario, Split
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
_BOM = b"\xef\xbb\xbf"


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


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() not in SUFFIXES:
        raise ScenarioFileError(f"{path}: unsupported file type {path.suffix!r}; use .jsonl or .csv")


def _not_utf8(path: Path, line: int, exc: UnicodeDecodeError, byte: int) -> ScenarioFileError:
    return ScenarioFileError(
        f"{path}, line {line}: not UTF-8 text ({exc.reason} at byte {byte}); save the file as UTF-8"
    )


def _decode_line(path: Path, number: int, raw: bytes, offset: int) -> str:
    """One JSONL line as text (without its newline), or the file-level error that stops the read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, number, exc, offset + exc.start) from None
    if "\x00" in text:
        raise ScenarioFileError(f"{path}, line {number}: a NUL byte; this is not a text file (UTF-16?)")
    return text[:-1] if text.endswith("\n") else text


def iter_jsonl_lines(path: Path) -> Iterator[tuple[int, int, str]]:
    """(line number, byte offset, text) of every non-blank line of a JSONL file, read one line at a time, so
    a file of any size streams through; file-level problems (not UTF-8, a NUL byte, empty) raise
    ScenarioFileError naming the file and line."""
    _check_suffix(path)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise ScenarioFileError(f"{path}: no such file") from None
    with handle:
        offset, seen = 0, False
        for number, raw in enumerate(handle, start=1):
            start = offset
            offset += len(raw)
            # A byte-order mark (Excel writes one) is accepted and dropped, as utf-8-sig would.
            if number == 1 and raw.startswith(_BOM):
                raw, start = raw[len(_BOM) :], start + len(_BOM)
            text = _decode_line(path, number, raw, start)
            if text.strip():
                seen = True
                yield number, start, text
    if not seen:
        raise ScenarioFileError(f"{path}: file is empty")


def jsonl_record(text: str) -> dict[str, Any] | RecordError:
    """One JSONL line as a raw record, or the RecordError that says why it is not one."""
    try:
        data = loads_json(text)
    except RecordError as exc:
        return exc
    return data if isinstance(data, dict) else RecordError("expected a JSON object")


def iter_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | RecordError]]:
    """(line, raw record) per non-blank record; a record that cannot be parsed comes as a RecordError."""
    _check_suffix(path)
    if path.suffix.lower() == ".jsonl":
        for number, _offset, text in iter_jsonl_lines(path):
            yield number, jsonl_record(text)
        return
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioFileError(f"{path}: no such file") from None
    try:
        # utf-8-sig: a byte-order mark (Excel writes one) is accepted and dropped.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, raw[: exc.start].count(b"\n") + 1, exc, exc.start) from None
    if not text.strip():
        raise ScenarioFileError(f"{path}: file is empty")
    if "\x00" in text:
        nul_line = text.count("\n", 0, text.index("\x00")) + 1
        raise ScenarioFileError(f"{path}, line {nul_line}: a NUL byte; this is not a text file (UTF-16?)")
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


# A raw record (line number, parsed dict) as a Scenario: full records validated, minimal ones completed.
Convert = Callable[[int, dict[str, Any]], Scenario]
T = TypeVar("T")


def scenario_from(number: int, record: dict[str, Any] | RecordError, convert: Convert) -> Scenario:
    """One raw record as a Scenario; raises RecordError (or ValueError) saying why it is not one."""
    if isinstance(record, RecordError):
        raise record
    check_sizes(record)
    try:
        return convert(number, record)
    except RecursionError:
        raise RecordError("record nested too deeply") from None


def checked(
    path: Path,
    records: Iterable[tuple[int, T, dict[str, Any] | RecordError]],
    *,
    skip_invalid: bool,
    convert: Convert,
    problems: list[tuple[int, str]],
) -> Iterator[tuple[int, T, Scenario]]:
    """(line, tag, scenario) per good record, the tag passed through (the lazy index's byte offset); raise on
    the first problem unless skip_invalid, which appends each to `problems` instead."""
    seen: dict[str, int] = {}
    for number, tag, record in records:
        try:
            scenario = scenario_from(number, record, convert)
            if scenario.id in seen:
                raise RecordError(f"duplicate id {scenario.id!r} (first on line {seen[scenario.id]})")
        except (RecordError, ValueError) as exc:
            if not skip_invalid:
                raise ScenarioFileError(f"{path}, line {number}: {exc}") from None
            problems.append((number, str(exc)))
            continue
        seen[scenario.id] = number
        yield number, tag, scenario


def collect(
    path: Path, records: Iterable[tuple[int, dict[str, Any] | RecordError]], *, skip_invalid: bool, convert: Convert
) -> ReadResult:
    """Convert each record; raise on the first problem unless skip_invalid, then report them all."""
    result = ReadResult()
    tagged = ((number, None, record) for number, record in records)
    for _number, _tag, scenario in checked(
        path, tagged, skip_invalid=skip_invalid, convert=convert, problems=result.problems
    ):
        result.scenarios.append(scenario)
    return result


def _stamp(path: Path) -> tuple[int, int] | None:
    """Size and modification time: what tells a ScenarioFile that its file changed under it."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


class ScenarioFile(Sequence[Scenario]):
    """The scenarios of a JSONL file as a sequence that holds only where each record starts (a few bytes per
    scenario) and reads, parses and completes a record when it is accessed: a 10,000-scenario file costs
    kilobytes instead of hundreds of megabytes. Built by `index_jsonl`, which validates every record once,
    so a bad line fails before the first episode with the same message as the eager loader.

    Iteration re-reads the file; slices are views of the same file. It pickles (to worker processes) when
    its `convert` does. A file changed after indexing is an error, not a silent mix of two files.
    """

    def __init__(
        self,
        path: Path,
        *,
        offsets: array[int],
        lines: array[int],
        complete: array[int],
        ids: Sequence[str],
        convert: Convert,
        stamp: tuple[int, int] | None,
        problems: Sequence[tuple[int, str]] = (),
    ) -> None:
        self.path = path
        self._offsets = offsets
        self._lines = lines
        # 1 where the record on file is already a complete Scenario (not a minimal one to complete).
        self._complete = complete
        self._ids = ids
        self._convert = convert
        self._stamp = stamp
        self.problems: list[tuple[int, str]] = list(problems)

    @property
    def ids(self) -> Sequence[str]:
        """The scenarios' ids in file order, without parsing a record."""
        return self._ids

    @property
    def line_numbers(self) -> Sequence[int]:
        """The line each scenario is on."""
        return self._lines

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, index: int) -> Scenario: ...
    @overload
    def __getitem__(self, index: slice) -> ScenarioFile: ...
    def __getitem__(self, index: int | slice) -> Scenario | ScenarioFile:
        if isinstance(index, slice):
            return ScenarioFile(
                self.path,
                offsets=self._offsets[index],
                lines=self._lines[index],
                complete=self._complete[index],
                ids=self._ids[index],
                convert=self._convert,
                stamp=self._stamp,
            )
        offset, number = self._offsets[index], self._lines[index]  # IndexError as for a list
        with self._open() as handle:
            handle.seek(offset)
            return self._parse(number, offset, handle.readline(), bool(self._complete[index]))

    def __iter__(self) -> Iterator[Scenario]:
        with self._open() as handle:
            for offset, number, complete in zip(self._offsets, self._lines, self._complete, strict=True):
                handle.seek(offset)
                yield self._parse(number, offset, handle.readline(), bool(complete))

    def __repr__(self) -> str:
        return f"ScenarioFile({str(self.path)!r}, {len(self)} scenarios)"

    def _open(self) -> BinaryIO:
        if _stamp(self.path) != self._stamp:
            raise ScenarioFileError(f"{self.path}: the file changed after it was loaded; load it again")
        return self.path.open("rb")

    def _parse(self, number: int, offset: int, raw: bytes, complete: bool) -> Scenario:
        text = _decode_line(self.path, number, raw, offset)
        try:
            if complete:
                # These bytes passed every check when the file was indexed, and the file is unchanged (its
                # stamp): pydantic's own JSON parser rebuilds the same Scenario, 2-3x faster than the checks.
                return Scenario.model_validate_json(text)
            return scenario_from(number, jsonl_record(text), self._convert)
        except (RecordError, ValueError) as exc:
            raise ScenarioFileError(f"{self.path}, line {number}: {exc}") from None


def index_jsonl(
    path: Path,
    *,
    convert: Convert,
    skip_invalid: bool = False,
    split: Split | None = None,
    is_complete: Callable[[dict[str, Any]], bool] = lambda _record: False,
) -> ScenarioFile:
    """A JSONL file as a ScenarioFile: one streaming pass validates every record (same checks and messages as
    `collect`) and keeps the byte offset, line and id of each good one (of `split` only, when given).
    `is_complete` tells a record that is a whole Scenario already (read back faster) from one to convert."""
    if path.suffix.lower() != ".jsonl":
        raise ScenarioFileError(f"{path}: only a .jsonl file can be read lazily")
    stamp_before = _stamp(path)
    offsets, lines, complete, ids = array("q"), array("q"), array("b"), []
    problems: list[tuple[int, str]] = []
    records = ((number, offset, jsonl_record(text)) for number, offset, text in iter_jsonl_lines(path))
    # The raw records ride along as the tag, so a good one can be asked whether it was complete.
    tagged = ((number, (offset, record), record) for number, offset, record in records)
    for number, (offset, record), scenario in checked(
        path, tagged, skip_invalid=skip_invalid, convert=convert, problems=problems
    ):
        if split is None or scenario.split == split:
            offsets.append(offset)
            lines.append(number)
            complete.append(isinstance(record, dict) and is_complete(record))
            ids.append(scenario.id)
    if _stamp(path) != stamp_before:
        raise ScenarioFileError(f"{path}: the file changed while it was being read; load it again")
    return ScenarioFile(
        path,
        offsets=offsets,
        lines=lines,
        complete=complete,
        ids=tuple(ids),
        convert=convert,
        stamp=stamp_before,
        problems=problems,
    )


def dumps_scenario(scenario: Scenario) -> str:
    """One scenario as compact JSON; same scenario, same bytes."""
    return scenario.model_dump_json()


def csv_header() -> str:
    """The header line of a scenario CSV."""
    return ",".join(Scenario.model_fields) + "\n"


def csv_rows(scenarios: Iterable[Scenario]) -> str:
    """Scenarios as CSV rows (no header), nested fields as JSON cells; same scenarios, same bytes."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(Scenario.model_fields), lineterminator="\n")
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


def format_scenarios(scenarios: Iterable[Scenario], suffix: str) -> str:
    """Scenarios as the lines of a .jsonl or .csv file (a CSV's header excluded): what a writer appends."""
    if suffix.lower() == ".csv":
        return csv_rows(scenarios)
    return "".join(dumps_scenario(s) + "\n" for s in scenarios)


def encode_scenarios(scenarios: Iterable[Scenario], suffix: str) -> bytes:
    """format_scenarios(scenarios, suffix) as UTF-8, the bytes a file holds.

    pydantic writes JSON as UTF-8 bytes: kept as bytes, a generation run's text (~9 KB a scenario) is neither
    decoded into a str nor encoded back by the writer, and pickling bytes between processes is a copy. Text
    with any non-ASCII character (injected instructions have some) makes those passes slow.
    """
    if suffix.lower() == ".csv":
        return csv_rows(scenarios).encode()
    parts: list[bytes] = []
    for scenario in scenarios:
        # What model_dump_json() returns before it decodes: same scenario, same bytes.
        parts.append(scenario.__pydantic_serializer__.to_json(scenario))
        parts.append(b"\n")
    return b"".join(parts)


def write_scenarios(path: str | Path, scenarios: Iterable[Scenario]) -> int:
    """Write scenarios atomically (the old file stays whole if anything fails); returns how many were written."""
    path = Path(path)
    _check_suffix(path)
    count = 0
    with open_atomic(path) as handle:
        if path.suffix.lower() == ".csv":
            handle.write(csv_header())
        # Streamed, one scenario at a time: a million scenarios never sit in memory.
        for scenario in scenarios:
            handle.write(format_scenarios((scenario,), path.suffix))
            count += 1
    return count
