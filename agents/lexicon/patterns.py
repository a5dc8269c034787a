"""The route/issue pattern table (patterns.yaml, shipped as package data), validated and compiled once.

The table is data: which words are evidence of which issue of which route, and how strongly. How the
matches add up to a route is agents.lexicon.evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from re import _constants as _sre  # type: ignore[attr-defined]
from re import _parser as _sre_parse  # type: ignore[attr-defined]
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PositiveFloat, model_validator

from ccsim.contact_center.taxonomy import Route

TABLE_FILE = "patterns.yaml"
# re._parser and re._constants are the standard library's own regex parser (Python 3.11+): required_anchors
# reads with it what every match of a pattern must contain.
_PLACEHOLDER = re.compile(r"\{([A-Z_]+)\}")
# libyaml's loader when the build has it: several times faster on the table than the pure-Python one.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _join_pieces(raw: object) -> object:
    # A long regex is written as [weight, piece, piece, ...]; the pieces join as they stand.
    if isinstance(raw, list) and len(raw) > 2 and all(isinstance(piece, str) for piece in raw[1:]):
        return [raw[0], "".join(raw[1:])]
    return raw


RawPattern = Annotated[tuple[PositiveFloat, str], BeforeValidator(_join_pieces)]


class PatternTable(BaseModel):
    """patterns.yaml as written: named regex fragments, and route -> issue -> (weight, regex) patterns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fragments: dict[str, str] = Field(description="Regex fragments a pattern names as {NAME}.")
    routes: dict[Route, dict[str, list[RawPattern]]] = Field(description="Route -> issue label -> patterns.")

    @model_validator(mode="after")
    def _fragments_exist(self) -> PatternTable:
        named = {
            name
            for issues in self.routes.values()
            for patterns in issues.values()
            for _, regex in patterns
            for name in _PLACEHOLDER.findall(regex)
        }
        if unknown := named - set(self.fragments):
            raise ValueError(f"patterns name fragments that are not defined: {sorted(unknown)}")
        return self

    def expand(self, regex: str) -> str:
        """The regex with each {NAME} replaced by its fragment."""
        return _PLACEHOLDER.sub(lambda m: self.fragments[m.group(1)], regex)


@dataclass(frozen=True)
class IssuePattern:
    """One compiled pattern: a match is evidence of `issue` for `route`, worth `weight`.

    `anchors`: strings of which every match contains at least one (None when the regex names none), so a
    text that holds none of them cannot match and the regex need not run on it."""

    route: Route
    issue: str
    regex: re.Pattern[str]
    weight: float
    anchors: frozenset[str] | None = None


_Anchors = frozenset[str] | None


def _better(a: _Anchors, b: _Anchors) -> _Anchors:
    """The more selective of two anchor sets: longer shortest string first, then fewer strings."""
    if a is None or b is None:
        return a if b is None else b
    return a if (min(map(len, a)), -len(a)) >= (min(map(len, b)), -len(b)) else b


def _sequence_anchors(items: Any) -> _Anchors:
    # A run of literal characters must appear as it stands; any one required item's anchors will do, and the
    # most selective is kept. Everything else (classes, optional parts, lookarounds) only ends a run.
    best: _Anchors = None
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            best = _better(best, frozenset({"".join(run)}))
            run = []
        if op is _sre.SUBPATTERN:
            _group, add_flags, del_flags, body = av
            if not (add_flags | del_flags) & re.IGNORECASE:
                best = _better(best, _sequence_anchors(body))
        elif op is _sre.BRANCH:
            alternatives = [_sequence_anchors(branch) for branch in av[1]]
            if alternatives and all(a is not None for a in alternatives):
                best = _better(best, frozenset().union(*alternatives))  # type: ignore[arg-type]
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:
            best = _better(best, _sequence_anchors(av[2]))
    return best


def required_anchors(regex: re.Pattern[str]) -> frozenset[str] | None:
    """Strings of which every match of `regex` contains one, or None when it names none for sure."""
    if regex.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    try:
        return _sequence_anchors(_sre_parse.parse(regex.pattern, regex.flags))
    except Exception:  # an unusual parse tree: no anchors, the regex simply always runs
        return None


@cache
def pattern_table() -> PatternTable:
    """The table as shipped with the package (read and validated once per process)."""
    text = files("ccsim.agents.lexicon").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return PatternTable.model_validate(yaml.load(text, Loader=_LOADER))


def fragment(name: str) -> str:
    """A named regex fragment of the table, for cues written in code that share its vocabulary."""
    return pattern_table().fragments[name]


@cache
def issue_patterns() -> tuple[IssuePattern, ...]:
    """Every pattern of the table, compiled, in table order (compiled once per process)."""
    table = pattern_table()
    compiled = (
        (route, issue, re.compile(table.expand(regex)), weight)
        for route, issues in table.routes.items()
        for issue, patterns in issues.items()
        for weight, regex in patterns
    )
    return tuple(IssuePattern(route, issue, rx, weight, required_anchors(rx)) for route, issue, rx, weight in compiled)
