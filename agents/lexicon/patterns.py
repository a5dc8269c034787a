"""The route/issue pattern table (patterns.yaml, shipped as package data), validated and compiled once.

The table is data: which words are evidence of which issue of which route, and how strongly. How the
matches add up to a route is agents.lexicon.evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PositiveFloat, model_validator

from ccsim.contact_center.taxonomy import Route

TABLE_FILE = "patterns.yaml"
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
    """One compiled pattern: a match is evidence of `issue` for `route`, worth `weight`."""

    route: Route
    issue: str
    regex: re.Pattern[str]
    weight: float


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
    return tuple(
        IssuePattern(route, issue, re.compile(table.expand(regex)), weight)
        for route, issues in table.routes.items()
        for issue, patterns in issues.items()
        for weight, regex in patterns
    )
