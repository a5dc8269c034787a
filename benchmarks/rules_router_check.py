"""Score the `rules` planner on the realistic check set: the first decision for each opening message.

Usage: .venv/bin/python benchmarks/rules_router_check.py [--check-set PATH] [--show-misses]

An 'ask' counts as not routed. The tuned part (ids below real-151) was used to tune the patterns; the
held-out part (real-151 and up) was not.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from ccsim.agents.policies.rules import Turn, decide
from ccsim.contact_center.taxonomy import PRIORITY, Route

CHECK_SET = Path(__file__).resolve().parent.parent / "scenarios" / "check_sets" / "realistic.jsonl"
HELD_OUT_FROM = 151
ASKED = "ask"


class CheckItem(BaseModel):
    """A minimal scenario record: the opening message and where it must end."""

    id: str = Field(description="Identifier such as real-001.")
    opening_message: str = Field(description="The customer's first message.")
    expected_route: Route = Field(description="Ground-truth route.")
    needs_human: bool = Field(description="Whether the route is a human department.")
    source: str = Field(default="", description="Where the record came from.")

    @property
    def number(self) -> int:
        return int(self.id.rsplit("-", 1)[-1])


class CheckReport(BaseModel):
    """Accuracy of the first decision over a set of check items."""

    n: int
    micro: float
    macro: float
    ask_rate: float
    recall: dict[Route, float]
    confusion: dict[Route, dict[str, int]]
    misses: list[tuple[str, str, str, str]] = Field(description="(id, expected, predicted, message).")


def load_check_set(path: Path = CHECK_SET) -> list[CheckItem]:
    with path.open(encoding="utf-8") as f:
        return [CheckItem.model_validate_json(line) for line in f if line.strip()]


def first_decision_route(message: str) -> str:
    decision = decide([Turn(role="customer", text=message)])
    return ASKED if decision.kind == "ask" or decision.route is None else decision.route.value


def evaluate(items: Sequence[CheckItem]) -> CheckReport:
    predictions = [first_decision_route(item.opening_message) for item in items]
    confusion: dict[Route, Counter[str]] = {route: Counter() for route in PRIORITY}
    for item, predicted in zip(items, predictions, strict=True):
        confusion[item.expected_route][predicted] += 1
    present = [route for route in PRIORITY if confusion[route].total()]
    recall = {route: confusion[route][route.value] / confusion[route].total() for route in present}
    correct = sum(confusion[route][route.value] for route in present)
    return CheckReport(
        n=len(items),
        micro=correct / len(items) if items else 0.0,
        macro=sum(recall.values()) / len(recall) if recall else 0.0,
        ask_rate=predictions.count(ASKED) / len(items) if items else 0.0,
        recall=recall,
        confusion={route: dict(confusion[route]) for route in present},
        misses=[
            (item.id, item.expected_route.value, predicted, item.opening_message)
            for item, predicted in zip(items, predictions, strict=True)
            if predicted != item.expected_route.value
        ],
    )


def split(items: Sequence[CheckItem]) -> tuple[list[CheckItem], list[CheckItem]]:
    tuned = [item for item in items if item.number < HELD_OUT_FROM]
    held_out = [item for item in items if item.number >= HELD_OUT_FROM]
    return tuned, held_out


def _abbrev(label: str) -> str:
    return {"ask": "ask"}.get(label, "".join(part[0] for part in label.split("_")).upper())


def format_report(name: str, report: CheckReport, show_misses: bool) -> str:
    lines = [
        f"== {name}: n={report.n}  macro={report.macro:.3f}  micro={report.micro:.3f}  ask_rate={report.ask_rate:.3f}",
        "per-route recall: " + ", ".join(f"{r.value}={v:.2f}" for r, v in report.recall.items()),
        "confusion (rows expected, columns predicted):",
    ]
    columns = [route.value for route in PRIORITY] + [ASKED]
    lines.append(" " * 18 + " ".join(f"{_abbrev(c):>4}" for c in columns))
    for route, row in report.confusion.items():
        lines.append(f"{route.value:>17} " + " ".join(f"{row.get(c, 0):>4}" for c in columns))
    if show_misses:
        lines += [f"  miss {i}: expected {e}, got {p}: {m!r}" for i, e, p, m in report.misses]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-set", type=Path, default=CHECK_SET)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--json", action="store_true", help="Print the reports as JSON instead of tables.")
    args = parser.parse_args(argv)
    items = load_check_set(args.check_set)
    tuned, held_out = split(items)
    reports = {"tuned": evaluate(tuned), "held_out": evaluate(held_out), "all": evaluate(items)}
    if args.json:
        print(json.dumps({k: v.model_dump(mode="json", exclude={"misses"}) for k, v in reports.items()}, indent=2))
        return
    for name, report in reports.items():
        print(format_report(name, report, args.show_misses and name != "all"))
    print("routed after a DETAILS answer: unavailable (the check set has no hidden facts to answer with)")


if __name__ == "__main__":
    main()
