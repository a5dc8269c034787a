"""The routing taxonomy (docs/architecture.md): the single source of truth every module imports."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Route(StrEnum):
    """Where an episode ends: one of four helper agents or four human departments."""

    ACCOUNT_SERVICES = "account_services"
    TRANSACTIONS = "transactions"
    CARD_SERVICES = "card_services"
    KNOWLEDGE_BASE = "knowledge_base"
    FRAUD = "fraud"
    DISPUTES = "disputes"
    ACCOUNT_CLOSURE = "account_closure"
    HARDSHIP = "hardship"


class RouteKind(StrEnum):
    HELPER = "helper_agent"
    HUMAN = "human_department"


class RouteInfo(BaseModel):
    """What a destination is and what it covers."""

    model_config = ConfigDict(frozen=True)

    route: Route = Field(description="The destination's identifier.")
    kind: RouteKind = Field(description="Automated helper agent or human department.")
    needs_human: bool = Field(description="True when the destination is staffed by people.")
    title: str = Field(description="A short human-readable name.")
    covers: str = Field(description="The issues this destination handles, in one sentence.")


ROUTES: dict[Route, RouteInfo] = {
    info.route: info
    for info in (
        RouteInfo(
            route=Route.ACCOUNT_SERVICES,
            kind=RouteKind.HELPER,
            needs_human=False,
            title="Account services",
            covers="balance, available credit, statement, due date, minimum payment, make or schedule a "
            "payment, autopay, rewards balance, contact details",
        ),
        RouteInfo(
            route=Route.TRANSACTIONS,
            kind=RouteKind.HELPER,
            needs_human=False,
            title="Transactions",
            covers="recent or pending transactions, explain a merchant descriptor the customer then "
            "recognises, confirm a payment posted",
        ),
        RouteInfo(
            route=Route.CARD_SERVICES,
            kind=RouteKind.HELPER,
            needs_human=False,
            title="Card services",
            covers="activate, lock/unlock, lost or stolen card with no unknown charges (lock and replace), "
            "damaged or expiring card, PIN, delivery status, digital wallet, travel notice",
        ),
        RouteInfo(
            route=Route.KNOWLEDGE_BASE,
            kind=RouteKind.HELPER,
            needs_human=False,
            title="Knowledge base",
            covers="fees, APR and interest rules, rewards rules, foreign transaction fees, eligibility, how-to",
        ),
        RouteInfo(
            route=Route.FRAUD,
            kind=RouteKind.HUMAN,
            needs_human=True,
            title="Fraud department",
            covers="charges the customer does not recognise, compromised card details, identity theft, "
            "account takeover, phishing",
        ),
        RouteInfo(
            route=Route.DISPUTES,
            kind=RouteKind.HUMAN,
            needs_human=True,
            title="Disputes department",
            covers="the customer recognises the merchant but the charge is wrong: charged twice, wrong "
            "amount, refund not received, not delivered, cancelled subscription still billed",
        ),
        RouteInfo(
            route=Route.ACCOUNT_CLOSURE,
            kind=RouteKind.HUMAN,
            needs_human=True,
            title="Account closure (retention)",
            covers="close the card account",
        ),
        RouteInfo(
            route=Route.HARDSHIP,
            kind=RouteKind.HUMAN,
            needs_human=True,
            title="Hardship department",
            covers="cannot pay, financial hardship, past due, payment plan, collections",
        ),
    )
}

HELPER_ROUTES: tuple[Route, ...] = tuple(r for r, i in ROUTES.items() if i.kind is RouteKind.HELPER)
HUMAN_ROUTES: tuple[Route, ...] = tuple(r for r, i in ROUTES.items() if i.kind is RouteKind.HUMAN)

# Several issues in one call: the most urgent wins, in this order (docs/architecture.md).
PRIORITY: tuple[Route, ...] = (
    Route.FRAUD,
    Route.DISPUTES,
    Route.HARDSHIP,
    Route.ACCOUNT_CLOSURE,
    Route.CARD_SERVICES,
    Route.TRANSACTIONS,
    Route.ACCOUNT_SERVICES,
    Route.KNOWLEDGE_BASE,
)


class UnknownRouteError(ValueError):
    """A route or department name that is not in the taxonomy."""


def parse_route(value: str | Route) -> Route:
    """Parse a route name leniently (case, spaces, hyphens); raise UnknownRouteError otherwise."""
    if isinstance(value, Route):
        return value
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Route(key)
    except ValueError:
        known = ", ".join(r.value for r in Route)
        raise UnknownRouteError(f"unknown route {value!r}; expected one of: {known}") from None


def needs_human(route: Route | str) -> bool:
    return ROUTES[parse_route(route)].needs_human


def most_urgent(routes: Iterable[Route | str]) -> Route:
    """The route that the priority order picks among several issues."""
    parsed = {parse_route(r) for r in routes}
    if not parsed:
        raise ValueError("most_urgent() needs at least one route")
    return min(parsed, key=PRIORITY.index)
