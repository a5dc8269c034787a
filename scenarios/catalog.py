"""The intent catalog: scenarios/catalog.yaml loaded into validated pydantic models."""

from __future__ import annotations

import string
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field, model_validator

from ccsim.contact_center.models import CustomerFacts, StateRequirement
from ccsim.contact_center.taxonomy import ROUTES, Route

CATALOG_FILE = "catalog.yaml"

# How the generator weaves an intent's situation into the customer's record (scenarios.generator).
Setup = Literal[
    "none",
    "unknown_charge",
    "unknown_charge_online",
    "identity_change",
    "phishing",
    "account_takeover",
    "card_stolen_used",
    "duplicate_charge",
    "wrong_amount",
    "refund_missing",
    "not_delivered",
    "subscription",
    "close_account",
    "close_account_silent",
    "close_account_fee",
    "cant_pay",
    "past_due",
    "make_payment",
    "autopay",
    "pending_charge",
    "descriptor",
    "payment_posted",
    "recent_purchase",
    "card_not_activated",
    "card_lockable",
    "card_lost",
    "card_damaged",
    "pin",
    "card_not_received",
    "travel",
    "fee",
    "interest",
    "foreign_fee",
    # Issue 12: a card the customer locked, an ATM withdrawal that paid out nothing or that they never made.
    "card_locked",
    "atm_not_dispensed",
    "atm_unknown",
]

Tier = Literal["easy", "medium", "hard"]

# Slots a phrasing may use; the generator fills every one of them for every intent.
SLOTS: frozenset[str] = frozenset(
    {
        "merchant",
        "amount",
        "bank",
        "product",
        "date",
        "weekday",
        "last4",
        "descriptor",
        "days",
        "reason",
        "country",
        "points",
        "due_date",
        "expected_amount",
        "fee_amount",
        "fee_kind",
        "competitor",
        "change",
        "channel",
        "month",
        "hardship",
        "minimum",
        "days_past_due",
        "autopay_choice",
        "interest",
    }
)

_FACT_FIELDS = frozenset(CustomerFacts.model_fields)


class CatalogError(ValueError):
    """The catalog file is missing, is not valid YAML, or does not match the schema."""


def template_slots(text: str) -> set[str]:
    """The {slot} names used in a phrasing."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class StateTemplate(BaseModel):
    """A required side effect; '{slot}' in value is filled per scenario, card_id from the scenario's card."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: str = Field(description="StateRequirement.target.")
    value: str = Field(description="Required value; may contain a {slot}.")

    @model_validator(mode="after")
    def _target_known(self) -> StateTemplate:
        StateRequirement.model_validate({"target": self.target, "value": "x"})
        return self


class Intent(BaseModel):
    """One reason a customer calls, with its route, hidden facts and phrasings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Unique intent name.")
    route: Route = Field(description="Where this issue must be routed.")
    description: str = Field(min_length=1, description="What the issue is, for people.")
    setup: Setup = Field(description="How the generator weaves the situation into the record.")
    facts: dict[str, Any] = Field(default_factory=dict, description="Fixed CustomerFacts values.")
    required_facts: list[str] = Field(default_factory=list, description="CustomerFacts fields that must be set.")
    summary: str = Field(min_length=1, description="facts.issue_summary template.")
    handoff: list[str] = Field(default_factory=list, description="Slots a handoff summary must carry.")
    state: list[StateTemplate] = Field(default_factory=list, description="Required side effects.")
    easy: list[str] = Field(min_length=1, description="Plain phrasings.")
    medium: list[str] = Field(min_length=1, description="Indirect, informal phrasings.")
    hard: list[str] = Field(
        default_factory=list,
        description="Ambiguous phrasings needing a clarifying question; a family member's are its family's openings.",
    )
    family: str | None = Field(
        default=None, description="The ambiguity family this intent belongs to; set by the catalog from its members."
    )
    hard_fact: str | None = Field(default=None, description="The hidden fact that disambiguates a hard opening.")
    extra: dict[str, str] = Field(default_factory=dict, description="Fixed facts.extra entries.")
    fixed_hardship: str | None = Field(default=None, description="A fixed hardship reason.")
    fixed_can_pay: bool | None = Field(default=None, description="can_pay to set for hard variants.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def needs_human(self) -> bool:
        return ROUTES[self.route].needs_human

    def phrasings(self, tier: Tier) -> list[str]:
        return {"easy": self.easy, "medium": self.medium, "hard": self.hard}[tier]

    def template_id(self, tier: Tier, index: int) -> str:
        """The id of phrasing `index` of `tier`; a family opening is named after its family, so the same
        opening can be traced across the intents (and routes) that share it."""
        if tier == "hard" and self.family:
            return f"{self.name}.family.{self.family}.{index:02d}"
        return f"{self.name}.{tier}.{index:02d}"

    @model_validator(mode="after")
    def _well_formed(self) -> Intent:
        unknown_facts = (set(self.facts) | set(self.required_facts)) - _FACT_FIELDS
        if unknown_facts:
            raise ValueError(f"unknown CustomerFacts fields: {sorted(unknown_facts)}")
        CustomerFacts.model_validate({"issue_summary": "x", **self.facts})
        texts = [*self.easy, *self.medium, *self.hard, self.summary, *(s.value for s in self.state)]
        unknown_slots = set().union(*(template_slots(t) for t in texts)) - SLOTS
        unknown_slots |= set(self.handoff) - SLOTS
        if unknown_slots:
            raise ValueError(f"unknown slots: {sorted(unknown_slots)}")
        if any("[[" in t for t in self.easy):
            # The scripted customer repeats plain easy phrasings word for word (agents.customer).
            raise ValueError("easy phrasings take no [[a|b]] choices; put them in medium")
        unbalanced = [t for t in (*self.medium, *self.hard) if t.count("[[") != t.count("]]")]
        if unbalanced:
            raise ValueError(f"unbalanced [[...]] in {unbalanced[0]!r}")
        if self.hard and not self.hard_fact:
            raise ValueError("hard phrasings need a hard_fact naming the fact that disambiguates them")
        return self


# The clarifying questions (agents.questions.ClarifyingQuestion values) that can separate a family's members.
FamilyQuestion = Literal["recognize_merchant", "lost_or_unknown_charges", "payment_trouble", "close_account"]


class Family(BaseModel):
    """Ambiguous openings shared by intents of different routes: only the answer to `question` decides."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Unique family name.")
    description: str = Field(min_length=1, description="What the openings have in common, for people.")
    question: FamilyQuestion = Field(description="The clarifying question whose answer separates the members.")
    members: list[str] = Field(min_length=2, description="Intent names; they must span at least two routes.")
    slots: list[str] = Field(default_factory=list, description="Slots that mean the same thing for every member.")
    openings: list[str] = Field(min_length=1, description="The shared ambiguous openings.")

    @model_validator(mode="after")
    def _slots_known(self) -> Family:
        unknown = set(self.slots) - SLOTS
        if unknown:
            raise ValueError(f"family {self.name}: unknown slots {sorted(unknown)}")
        used = set().union(*(template_slots(t) for t in self.openings))
        if used - set(self.slots):
            # A slot outside the family's list would be filled with something unrelated for some member.
            raise ValueError(f"family {self.name}: openings use slots not every member can fill: {sorted(used)}")
        return self


class Catalog(BaseModel):
    """All intents, addressable by name and by route, and the ambiguity families they share openings in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    families: list[Family] = Field(default_factory=list)
    intents: list[Intent] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _share_family_openings(cls, data: Any) -> Any:
        """Give every family member its family's openings as its hard phrasings (before Intent validation,
        so the hard_fact and slot checks apply to them as well)."""
        if not isinstance(data, dict) or not data.get("families") or not isinstance(data.get("intents"), list):
            return data
        family_of: dict[str, dict[str, Any]] = {}
        for family in data["families"]:
            if not isinstance(family, dict):
                return data  # a Family instance or garbage: field validation reports it
            for member in family.get("members", []):
                if member in family_of:
                    raise ValueError(f"intent {member!r} is in two families")
                family_of[member] = family
        intents = []
        for raw in data["intents"]:
            intent = raw.model_dump(exclude={"needs_human"}) if isinstance(raw, Intent) else raw
            family = family_of.get(str(intent.get("name"))) if isinstance(intent, dict) else None
            if family is not None:
                if intent.get("hard") and intent.get("family") != family.get("name"):
                    # Its own ambiguous phrasings would tell a learned planner the route from the wording.
                    raise ValueError(f"intent {intent['name']!r} is in family {family.get('name')!r}: "
                                     "move its hard phrasings into the family's openings")  # fmt: skip
                intent = {**intent, "hard": list(family.get("openings", [])), "family": family.get("name")}
            intents.append(intent)
        return {**data, "intents": intents}

    @model_validator(mode="after")
    def _unique_names(self) -> Catalog:
        names = [i.name for i in self.intents]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate intent names: {duplicates}")
        family_names = [f.name for f in self.families]
        if len(set(family_names)) != len(family_names):
            raise ValueError(f"duplicate family names: {family_names}")
        for family in self.families:
            unknown = [m for m in family.members if m not in names]
            if unknown:
                raise ValueError(f"family {family.name}: unknown members {unknown}")
            if len({self.get(m).route for m in family.members}) < 2:
                raise ValueError(f"family {family.name}: members must span at least two routes")
        for intent in self.intents:
            if intent.family is not None and (
                intent.family not in family_names or intent.name not in self.family(intent.family).members
            ):
                raise ValueError(f"intent {intent.name!r} names family {intent.family!r} without being a member")
        return self

    def family(self, name: str) -> Family:
        for family in self.families:
            if family.name == name:
                return family
        raise KeyError(f"unknown family {name!r}")

    def get(self, name: str) -> Intent:
        for intent in self.intents:
            if intent.name == name:
                return intent
        raise KeyError(f"unknown intent {name!r}")

    def has(self, name: str) -> bool:
        return any(i.name == name for i in self.intents)

    def by_route(self, route: Route | str) -> list[Intent]:
        return [i for i in self.intents if i.route == Route(route)]

    @property
    def names(self) -> list[str]:
        return [i.name for i in self.intents]


def parse_catalog(text: str, *, origin: str = CATALOG_FILE) -> Catalog:
    """Parse catalog YAML text; raise CatalogError naming the origin on any problem."""
    try:
        # libyaml when present: the same data, parsed in 16 ms instead of 256 ms of every start-up.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise CatalogError(f"{origin}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or "intents" not in data:
        raise CatalogError(f"{origin}: expected a mapping with an 'intents' list")
    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(f"{origin}: invalid catalog: {exc}") from None


@cache
def load_catalog() -> Catalog:
    """The packaged catalog (scenarios/catalog.yaml), parsed once per process."""
    text = files("ccsim.scenarios").joinpath(CATALOG_FILE).read_text(encoding="utf-8")
    return parse_catalog(text)
