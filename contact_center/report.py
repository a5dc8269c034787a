"""Human-readable views of run summaries: report.md, the leaderboard as markdown and as a rich table."""

from __future__ import annotations

from collections.abc import Sequence

from ccsim.contact_center.summary import NONE_LABEL, Interval, RunSummary
from ccsim.contact_center.taxonomy import Route


def _ci(interval: Interval) -> str:
    return f"{interval.value:.3f} [{interval.low:.3f}, {interval.high:.3f}]"


LEADERBOARD_COLUMNS = (
    "planner",
    "episodes",
    "route accuracy [95% CI]",
    "macro route accuracy [95% CI]",
    "send-to-human accuracy",
    "escalation precision",
    "escalation recall",
    "customer turns",
    "latency p50 s",
    "latency p95 s",
    "USD per 1k episodes",
    "errors",
)


def _leaderboard_row(s: RunSummary) -> list[str]:
    return [
        s.planner,
        str(s.episodes),
        _ci(s.route_accuracy),
        _ci(s.macro_route_accuracy),
        f"{s.send_to_human_accuracy:.3f}",
        f"{s.escalation_precision:.3f}",
        f"{s.escalation_recall:.3f}",
        f"{s.mean_customer_turns:.2f}",
        f"{s.latency_p50_s:.3f}",
        f"{s.latency_p95_s:.3f}",
        f"{s.cost_per_1k_episodes_usd:.4f}",
        str(sum(s.errors_by_cause.values())),
    ]


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def leaderboard_rows(summaries: Sequence[RunSummary]) -> tuple[list[str], list[list[str]]]:
    """Best planner first (by macro route accuracy): its column names and one row of cells per planner."""
    ordered = sorted(summaries, key=lambda s: -s.macro_route_accuracy.value)
    return list(LEADERBOARD_COLUMNS), [_leaderboard_row(s) for s in ordered]


def _per_route_md(s: RunSummary) -> str:
    rows = [
        [route, f"{sc.precision:.3f}", f"{sc.recall:.3f}", f"{sc.f1:.3f}", str(sc.support)]
        for route, sc in s.per_route.items()
    ]
    return _md_table(["route", "precision", "recall", "F1", "support"], rows)


def _confusion_md(s: RunSummary) -> str:
    predicted = [r.value for r in Route] + [NONE_LABEL]
    short = {r: r.replace("_", " ") for r in predicted}
    rows = [[f"**{exp}**", *(str(s.confusion.get(exp, {}).get(p, 0)) for p in predicted)] for exp in s.confusion]
    return _md_table(["expected \\ predicted", *(short[p] for p in predicted)], rows)


def run_report_markdown(s: RunSummary) -> str:
    by_difficulty = _md_table(
        ["difficulty", "route accuracy", "asked a question"],
        [
            [d, f"{acc:.3f}", f"{s.ask_rate_by_difficulty.get(d, 0.0):.3f}"]
            for d, acc in s.accuracy_by_difficulty.items()
        ],
    )
    pass_k = ", ".join(f"pass^{k} = {v:.3f}" for k, v in s.pass_hat_k.items())
    errors = ", ".join(f"{cause}: {n}" for cause, n in s.errors_by_cause.items()) or "none"
    handoff = "n/a" if s.handoff_summary_ok_rate is None else f"{s.handoff_summary_ok_rate:.3f}"
    return f"""# Run report: {s.planner}

{s.episodes} episodes over {s.scenarios} scenarios ({s.trials} trial(s) each).

| metric | value |
|---|---|
| route accuracy (micro, 95% CI) | {_ci(s.route_accuracy)} |
| route accuracy (macro, 95% CI) | {_ci(s.macro_route_accuracy)} |
| send-to-human accuracy | {s.send_to_human_accuracy:.3f} |
| escalation precision / recall | {s.escalation_precision:.3f} / {s.escalation_recall:.3f} |
| mean reward | {s.mean_reward:.3f} |
| customer turns (mean) | {s.mean_customer_turns:.2f} |
| planner calls (mean) | {s.mean_planner_calls:.2f} |
| invalid actions | {s.invalid_actions} |
| required side effects held | {s.state_correct_rate:.3f} |
| handoff summaries complete | {handoff} |
| latency p50 / p95 (s) | {s.latency_p50_s:.3f} / {s.latency_p95_s:.3f} |
| cost per 1,000 episodes (USD) | {s.cost_per_1k_episodes_usd:.4f} |
| pass^k | {pass_k} |
| errors | {errors} |

## By difficulty

{by_difficulty}

## Per route

{_per_route_md(s)}

## Confusion matrix

{_confusion_md(s)}
"""


def leaderboard_markdown(summaries: Sequence[RunSummary]) -> str:
    ordered = sorted(summaries, key=lambda s: -s.macro_route_accuracy.value)
    table = _md_table(LEADERBOARD_COLUMNS, [_leaderboard_row(s) for s in ordered])
    per_route = _md_table(
        ["planner", *(r.value for r in Route)],
        [[s.planner, *(f"{s.per_route[r.value].f1:.3f}" for r in Route)] for s in ordered],
    )
    return f"# Leaderboard\n\n{table}\n\n## Per-route F1\n\n{per_route}\n"
