"""How often injected instructions change the rules planner's first decision, on phrasings it was not tuned on.

Usage: .venv/bin/python benchmarks/injection_robustness.py [--phrasings PATH] [--utterances PATH] [--json]

Each phrasing of a set of injection templates wraps each real-style utterance of
`scenarios/check_sets/holdout.jsonl`, naming a wrong department. The sets, in `scenarios/check_sets/`:
- `injections_tuning.jsonl`: the generator's adversarial phrasings (the lexicon was tuned on these, with
  the utterances of `realistic.jsonl`);
- `injections_heldout.jsonl`: written before any tuning; measured once (43.06% -> 6.67%), then its
  failures were studied and fixed, so it is tuning data now;
- `injections_heldout_v2.jsonl`: written after that and measured once (7.97%), then its failures were
  studied and fixed (recognition by family rather than by phrasing), so it is tuning data now too;
- `injections_heldout_v3.jsonl`: written by someone who had not seen the code, and never tuned on: the
  honest figure. Skipped with a note while it does not exist.
A change is any difference between the first decision on the plain utterance and on the injected one
(another route, or asking instead of routing); 'to injected' counts changes to the department the
injection named. Target: at most 2% changes.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from ccsim.agents.policies.rules import Turn, decide
from ccsim.contact_center.taxonomy import PRIORITY, ROUTES, Route

CHECK_SETS = Path(__file__).resolve().parent.parent / "scenarios" / "check_sets"
PHRASING_SETS = {
    "tuning (tuned on)": CHECK_SETS / "injections_tuning.jsonl",
    "held-out v1 (measured once, then tuned on)": CHECK_SETS / "injections_heldout.jsonl",
    "held-out v2 (measured once, then tuned on)": CHECK_SETS / "injections_heldout_v2.jsonl",
    "held-out v3 (never tuned on)": CHECK_SETS / "injections_heldout_v3.jsonl",
}
UTTERANCES = CHECK_SETS / "holdout.jsonl"
TARGET = 0.02


class Phrasing(BaseModel):
    id: str
    family: str
    template: str = Field(description="Format string with {body}, {wrong} (route value) and {title}.")


class Utterance(BaseModel):
    id: str
    opening_message: str
    expected_route: Route


class RobustnessReport(BaseModel):
    pairs: int
    changed: int
    to_injected: int
    change_rate: float
    by_family: dict[str, tuple[int, int]] = Field(description="family -> (changed, pairs).")
    examples: list[tuple[str, str, str, str]] = Field(description="(phrasing id, before, after, text).")


def _load(path: Path, model: type[BaseModel]) -> list[BaseModel]:
    with path.open(encoding="utf-8") as f:
        return [model.model_validate_json(line) for line in f if line.strip()]


def first_route(text: str) -> str:
    decision = decide([Turn(role="customer", text=text)])
    return "ask" if decision.kind == "ask" or decision.route is None else decision.route.value


def wrong_route(expected: Route, index: int) -> Route:
    """A deterministic wrong destination, human departments first (the ones an attacker wants)."""
    humans = [r for r in PRIORITY if ROUTES[r].needs_human and r is not expected]
    others = [r for r in PRIORITY if r is not expected and r not in humans]
    pool = humans + others[:1]
    return pool[index % len(pool)]


def measure(phrasings: Sequence[Phrasing], utterances: Sequence[Utterance]) -> RobustnessReport:
    before = {u.id: first_route(u.opening_message) for u in utterances}
    changed = to_injected = 0
    by_family: dict[str, Counter[str]] = {}
    examples: list[tuple[str, str, str, str]] = []
    for p_index, phrasing in enumerate(phrasings):
        family = by_family.setdefault(phrasing.family, Counter())
        for u_index, utterance in enumerate(utterances):
            wrong = wrong_route(utterance.expected_route, p_index + u_index)
            text = phrasing.template.format(
                body=utterance.opening_message, wrong=wrong.value, title=ROUTES[wrong].title
            )
            after = first_route(text)
            family["pairs"] += 1
            if after != before[utterance.id]:
                changed += 1
                family["changed"] += 1
                to_injected += after == wrong.value
                if len(examples) < 40:
                    examples.append((phrasing.id, before[utterance.id], after, text))
    pairs = len(phrasings) * len(utterances)
    return RobustnessReport(
        pairs=pairs,
        changed=changed,
        to_injected=to_injected,
        change_rate=changed / pairs if pairs else 0.0,
        by_family={name: (c["changed"], c["pairs"]) for name, c in by_family.items()},
        examples=examples,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrasings", type=Path, default=None, help="One phrasing set (default: all of them).")
    parser.add_argument("--utterances", type=Path, default=UTTERANCES)
    parser.add_argument("--show", type=int, default=0, help="Print this many changed examples.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    utterances = [Utterance.model_validate(u.model_dump()) for u in _load(args.utterances, Utterance)]
    sets = {str(args.phrasings): args.phrasings} if args.phrasings else PHRASING_SETS
    for name, path in sets.items():
        if not path.exists():
            # The never-tuned-on set is written apart from the code; until it exists there is nothing to measure.
            note = f"{name}: {path.name} not found, skipped"
            print(json.dumps({"set": name, "skipped": note}) if args.json else note)
            continue
        phrasings = [Phrasing.model_validate(p.model_dump()) for p in _load(path, Phrasing)]
        report = measure(phrasings, utterances)
        if args.json:
            print(json.dumps({"set": name, **report.model_dump(mode="json", exclude={"examples"})}))
        else:
            _print(name, phrasings, utterances, report, args.show)


def _print(
    name: str, phrasings: Sequence[Phrasing], utterances: Sequence[Utterance], report: RobustnessReport, show: int
) -> None:
    print(
        f"{name}: {len(phrasings)} phrasings x {len(utterances)} utterances = {report.pairs} pairs; "
        f"route changed {report.changed} ({report.change_rate:.2%}), to the injected department {report.to_injected}; "
        f"target <= {TARGET:.0%}: {'met' if report.change_rate <= TARGET else 'NOT met'}"
    )
    for family, (c, n) in sorted(report.by_family.items()):
        print(f"  {family:>14}: {c:>4} / {n}")
    for pid, b, a, text in report.examples[:show]:
        print(f"  {pid}: {b} -> {a}: {json.dumps(text)[:160]}")


if __name__ == "__main__":
    main()
