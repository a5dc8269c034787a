"""Human-readable views of run summaries: report.md, the leaderboard as markdown and as a rich table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ccsim.contact_center.comparison import JudgeScore, PairedComparison
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.run_index import failed_episodes_markdown
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
    "mean reward",
    "pass^k",
    "customer turns",
    "latency p50 s",
    "latency p95 s",
    "USD per 1k episodes",
    "errors",
)
RULER_COLUMN = "RULER score"


def cost_cell(s: RunSummary) -> str:
    """Cost per 1,000 episodes, or "price unknown" when a model that used tokens has no known price."""
    if s.unpriced_models:
        return f"price unknown ({', '.join(s.unpriced_models)})"
    return f"{s.cost_per_1k_episodes_usd:.4f}"


def pass_k_cell(s: RunSummary) -> str:
    """pass^k at k = the trials per scenario (tau-bench's definition); pass^1 is the mean success rate."""
    k = max(s.pass_hat_k, default=1)
    return f"{s.pass_hat_k.get(k, 0.0):.3f} (k={k})"


def _leaderboard_row(s: RunSummary) -> list[str]:
    return [
        s.planner,
        str(s.episodes),
        _ci(s.route_accuracy),
        _ci(s.macro_route_accuracy),
        f"{s.send_to_human_accuracy:.3f}",
        f"{s.escalation_precision:.3f}",
        f"{s.escalation_recall:.3f}",
        f"{s.mean_reward:.3f}",
        pass_k_cell(s),
        f"{s.mean_customer_turns:.2f}",
        f"{s.latency_p50_s:.3f}",
        f"{s.latency_p95_s:.3f}",
        cost_cell(s),
        str(sum(s.errors_by_cause.values())),
    ]


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _ordered(summaries: Sequence[RunSummary]) -> list[RunSummary]:
    return sorted(summaries, key=lambda s: -s.macro_route_accuracy.value)


def leaderboard_rows(
    summaries: Sequence[RunSummary], judge: Mapping[str, JudgeScore] | None = None
) -> tuple[list[str], list[list[str]]]:
    """Best planner first (by macro route accuracy): its column names and one row of cells per planner.

    With `judge` (planner label -> RULER score), a RULER column follows send-to-human accuracy."""
    columns, rows = list(LEADERBOARD_COLUMNS), [_leaderboard_row(s) for s in _ordered(summaries)]
    if judge is not None:
        at = columns.index("send-to-human accuracy") + 1
        columns.insert(at, RULER_COLUMN)
        for row in rows:
            score = judge.get(row[0])
            row.insert(at, score.cell() if score is not None else "n/a")
    return columns, rows


COMPARISON_COLUMNS = ("A", "B", "metric", "scenarios", "A mean", "B mean", "A - B [95% CI]", "verdict")


def comparison_rows(comparisons: Sequence[PairedComparison]) -> tuple[list[str], list[list[str]]]:
    """The paired comparisons as table cells: the difference with its paired-bootstrap interval, the verdict."""
    rows = [
        [
            c.a,
            c.b,
            c.metric.replace("_", " "),
            str(c.scenarios),
            f"{c.a_mean:.3f}",
            f"{c.b_mean:.3f}",
            f"{c.difference:+.3f} [{c.low:+.3f}, {c.high:+.3f}]",
            c.statement,
        ]
        for c in comparisons
    ]
    return list(COMPARISON_COLUMNS), rows


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


def run_report_markdown(s: RunSummary, episodes: Sequence[Episode] | None = None) -> str:
    """report.md; with the run's `episodes`, it ends with the failed ones, each with its id and why it failed."""
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
""" + ("" if episodes is None else "\n" + failed_episodes_markdown(episodes))


def leaderboard_markdown(
    summaries: Sequence[RunSummary],
    comparisons: Sequence[PairedComparison] = (),
    judge: Mapping[str, JudgeScore] | None = None,
) -> str:
    ordered = _ordered(summaries)
    table = _md_table(*leaderboard_rows(summaries, judge))
    per_route = _md_table(
        ["planner", *(r.value for r in Route)],
        [[s.planner, *(f"{s.per_route[r.value].f1:.3f}" for r in Route)] for s in ordered],
    )
    text = f"# Leaderboard\n\n{table}\n\n## Per-route F1\n\n{per_route}\n"
    if comparisons:
        text += (
            "\n## Paired comparisons\n\n"
            "Each pair on the scenarios both played: the mean per-scenario difference A - B with a paired "
            "bootstrap 95% interval; a verdict only when the interval excludes 0.\n\n"
            f"{_md_table(*comparison_rows(comparisons))}\n"
        )
    if judge:
        failed = {p: j for p, j in judge.items() if j.failures}
        first = next(iter(judge.values()))
        text += f"\n## RULER judge\n\nJudge `{first.judge}`; scores are relative within each scenario's group.\n"
        if failed:
            for planner, score in failed.items():
                text += f"\n- {planner}: {score.failures} episode(s) not judged: {'; '.join(score.errors[:2])}"
            text += "\n"
    return text
