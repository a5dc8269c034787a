"""Importing user scenarios: full scenarios, or minimal records (id, opening message, route, needs_human)
completed with a generated, consistent customer so users can evaluate planners on their own utterances.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ccsim.contact_center.models import CustomerFacts, Difficulty, Scenario, Split
from ccsim.contact_center.taxonomy import ROUTES, Route, parse_route
from ccsim.scenarios.catalog import load_catalog
from ccsim.scenarios.fast_faker import process_faker
from ccsim.scenarios.generator import generate_scenario
from ccsim.scenarios.intent_inference import infer_intent
from ccsim.scenarios.io import (
    ReadResult,
    RecordError,
    ScenarioFile,
    collect,
    describe_validation_error,
    index_jsonl,
    iter_records,
    parse_bool,
    validate_scenario_record,
)


class MinimalRecord(BaseModel):
    """The least a user must supply: the customer's words and where the call should end."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    opening_message: str = Field(min_length=1)
    expected_route: Route
    needs_human: bool
    source: str | None = None
    intent: str | None = None
    difficulty: Difficulty | None = None
    split: Split | None = None

    @field_validator("expected_route", mode="before")
    @classmethod
    def _route(cls, value: object) -> Route:
        return parse_route(str(value))

    @field_validator("needs_human", mode="before")
    @classmethod
    def _bool(cls, value: object) -> bool:
        return parse_bool(value)

    @field_validator("source", "intent", "difficulty", "split", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _consistent(self) -> MinimalRecord:
        if self.needs_human != ROUTES[self.expected_route].needs_human:
            kind = "a helper agent" if self.needs_human else "a human department"
            raise ValueError(
                f"needs_human={str(self.needs_human).lower()} contradicts expected_route="
                f"{self.expected_route.value} (which is {kind})"
            )
        if self.intent is not None:
            catalog = load_catalog()
            if not catalog.has(self.intent):
                raise ValueError(f"unknown intent {self.intent!r}")
            if catalog.get(self.intent).route != self.expected_route:
                raise ValueError(f"intent {self.intent!r} belongs to {catalog.get(self.intent).route.value}")
        return self


def _stable_int(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:4], "big")


def complete_record(record: MinimalRecord, *, seed: int = 0, default_source: str = "import") -> Scenario:
    """A full, consistent scenario around the user's opening message; deterministic in (record, seed)."""
    catalog = load_catalog()
    scenario_seed = _stable_int("import", seed, record.id)
    # The intent decides the hidden facts: given, inferred from the words (issue 12), or unknown.
    inferred = record.intent or infer_intent(record.opening_message, record.expected_route, catalog)
    if inferred is not None:
        intent = catalog.get(inferred)
    else:
        # The record and its setup still need an intent; its facts are replaced by unknown ones below.
        candidates = sorted(catalog.by_route(record.expected_route), key=lambda i: i.name)
        intent = candidates[scenario_seed % len(candidates)]
    # Imported text is the customer's own; medium is the tier that makes no claim about ambiguity.
    difficulty = record.difficulty or Difficulty.MEDIUM
    if difficulty is Difficulty.HARD and not intent.hard:
        difficulty = Difficulty.MEDIUM
    scenario = generate_scenario(
        intent.name,
        difficulty,
        scenario_seed,
        split=record.split or Split.TEST,
        scenario_id=record.id,
        opening_message=record.opening_message,
        source=record.source or default_source,
        catalog=catalog,
        faker=process_faker(),
    )
    # An imported opening carries none of the generator's adversarial framing.
    if inferred is None:
        facts = unknown_facts(record.opening_message, record.expected_route)
        return scenario.model_copy(update={"tags": ["imported", FACTS_UNKNOWN], "facts": facts, "required_state": []})
    other = scenario.facts.model_copy(update={"other_issues": []})
    return scenario.model_copy(update={"tags": ["imported"], "facts": other})


FACTS_UNKNOWN = "facts_unknown"

# What the route alone says about the customer (routing_policy.md): a dispute's merchant is recognised (rule 1), a
# card_services caller has no charges they did not make (rule 2), a hardship caller cannot pay, a closure caller
# wants to close. Everything else stays unknown, so the scripted customer answers "I'm not sure" or repeats the
# opening instead of inventing facts that contradict it.
_ROUTE_FACTS: dict[Route, dict[str, Any]] = {
    Route.DISPUTES: {"recognizes_merchant": True, "unknown_charges": False},
    Route.CARD_SERVICES: {"unknown_charges": False},
    Route.HARDSHIP: {"can_pay": False},
    Route.ACCOUNT_CLOSURE: {"wants_to_close": True},
}


def unknown_facts(opening_message: str, route: Route) -> CustomerFacts:
    """Hidden facts for an utterance whose intent the words do not decide: only what its route implies."""
    return CustomerFacts(issue_summary=opening_message, **_ROUTE_FACTS.get(route, {}))


def _is_full(data: dict[str, Any]) -> bool:
    return data.get("customer") not in (None, "", {})


@dataclass(frozen=True)
class RecordConverter:
    """A raw record as a Scenario: a full one validated, a minimal one completed deterministically in
    (record, seed). A class rather than a closure, so a lazy ScenarioFile that holds one pickles."""

    seed: int = 0
    default_source: str = "import"

    def __call__(self, _line: int, data: dict[str, Any]) -> Scenario:
        if _is_full(data):
            return validate_scenario_record(data)
        try:
            record = MinimalRecord.model_validate(data)
        except ValidationError as exc:
            raise RecordError(describe_validation_error(exc)) from None
        return complete_record(record, seed=self.seed, default_source=self.default_source)


def import_scenarios(path: str | Path, *, skip_invalid: bool = False, seed: int = 0) -> ReadResult:
    """THE scenario loader (CLI, API, both trainers, benchmarks): full scenarios or minimal records from
    .jsonl or .csv, minimal ones completed deterministically in (record, seed).

    Raises ScenarioFileError naming the file and line of the first bad record; with skip_invalid the good
    records are kept and every bad one is listed in `problems`.
    """
    path = Path(path)
    convert = RecordConverter(seed=seed, default_source=path.name)
    return collect(path, iter_records(path), skip_invalid=skip_invalid, convert=convert)


def index_scenarios(
    path: str | Path, *, skip_invalid: bool = False, seed: int = 0, split: Split | None = None
) -> ScenarioFile:
    """`import_scenarios` for a .jsonl file without holding the scenarios: every record is checked now (same
    errors), then read from the file when accessed (see ScenarioFile). `split` keeps that split only."""
    path = Path(path)
    convert = RecordConverter(seed=seed, default_source=path.name)
    return index_jsonl(path, convert=convert, skip_invalid=skip_invalid, split=split, is_complete=_is_full)
