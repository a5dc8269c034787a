"""report.html: one self-contained page per run folder and per eval (leaderboard) folder that opens offline.

The page holds the summary with its intervals, a confusion-matrix heatmap (a coloured table), matplotlib
charts inlined as SVG (per-route precision and recall, latency distribution), and a conversation browser
(filters: failed only, route, difficulty, planner; in a leaderboard the same episode side by side across
planners). It is rendered from
the Jinja2 template beside this module; episodes are embedded as compact JSON that the page's own script
turns into the list, so nothing is fetched from anywhere.

Size on large runs: the list holds one short row per episode; whole conversations are embedded for at most
`max_conversations` episodes, failed ones first (in a leaderboard, every planner's version of a chosen
episode), and each shown text is cut to `TEXT_CHARS`. `ccsim view` opens any episode of any size.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.files import write_text_atomic
from ccsim.contact_center.report import leaderboard_rows
from ccsim.contact_center.run_index import EpisodeRow, conversation
from ccsim.contact_center.summary import NONE_LABEL, RunSummary
from ccsim.contact_center.taxonomy import Route

if TYPE_CHECKING:
    import jinja2
    from matplotlib.figure import Figure

REPORT_HTML = "report.html"
TEMPLATE = "report_template.html.j2"
MAX_CONVERSATIONS = 1500
TEXT_CHARS = 2000
ROUTES = [r.value for r in Route]
PREDICTED = [*ROUTES, NONE_LABEL]


@dataclass(frozen=True)
class PlannerRun:
    """What the page shows for one planner: its label, summary and episodes."""

    label: str
    summary: RunSummary
    episodes: Sequence[Episode]


# ---- charts (matplotlib, no pyplot: no global backend, nothing shown) ------------------------------------


def _svg(figure: Figure) -> str:
    import matplotlib

    buffer = io.StringIO()
    # Fixed margins (set by each chart), no tight bounding box: that would draw every figure twice.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ccsim"}):
        # No metadata block: it would carry a date (a changing file) and RDF namespace URLs.
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    return text[text.find("<svg") :]


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=96)


def confusion_cells(summary: RunSummary) -> list[tuple[str, list[tuple[int, str]]]]:
    """The confusion heatmap as table cells: per expected route, (count, background colour) per chosen route.

    An HTML table rather than a picture: counts stay selectable and searchable, and it costs no rendering.
    The colour is the share of the expected route's episodes (white 0 -> blue 1); off-diagonal cells are red.
    """
    rows = []
    for expected in ROUTES:
        counts = [summary.confusion.get(expected, {}).get(p, 0) for p in PREDICTED]
        total = sum(counts) or 1
        cells = []
        for predicted, count in zip(PREDICTED, counts, strict=True):
            share = count / total
            r, g, b = (33, 102, 172) if predicted == expected else (200, 50, 50)
            alpha = 0.08 + 0.8 * share if count else 0.0
            cells.append((count, f"rgba({r},{g},{b},{alpha:.2f})"))
        rows.append((expected, cells))
    return rows


def precision_recall_svg(summary: RunSummary) -> str:
    """Per-route precision and recall, side by side."""
    import numpy as np

    y = np.arange(len(ROUTES))
    precision = [summary.per_route[r].precision if r in summary.per_route else 0.0 for r in ROUTES]
    recall = [summary.per_route[r].recall if r in summary.per_route else 0.0 for r in ROUTES]
    figure = _figure(6.0, 4.2)
    ax = figure.add_subplot()
    ax.barh(y - 0.2, precision, height=0.4, label="precision", color="#4c72b0")
    ax.barh(y + 0.2, recall, height=0.4, label="recall", color="#dd8452")
    ax.set_yticks(y, [r.replace("_", " ") for r in ROUTES])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    ax.legend(loc="lower right", fontsize=8)
    figure.subplots_adjust(left=0.25, right=0.97, top=0.92, bottom=0.08)
    ax.set_title(f"Per-route precision and recall: {summary.planner}", fontsize=10)
    return _svg(figure)


def latency_svg(runs: Sequence[PlannerRun]) -> str:
    """Episode wall time, one histogram per planner on shared bins."""
    import numpy as np

    values = [[e.metrics.latency_s for e in run.episodes if e.metrics is not None] for run in runs]
    everything = [v for vs in values for v in vs] or [0.0]
    bins = [float(b) for b in np.linspace(0.0, max(max(everything), 1e-3) * 1.02, 30)]
    figure = _figure(6.0, 3.4)
    ax = figure.add_subplot()
    for run, vs in zip(runs, values, strict=True):
        ax.hist(vs, bins=bins, alpha=0.55 if len(runs) > 1 else 0.9, label=run.label)
    ax.set_xlabel("episode latency (s)")
    ax.set_ylabel("episodes")
    if len(runs) > 1:
        ax.legend(fontsize=8)
    ax.set_title("Latency distribution", fontsize=10)
    figure.subplots_adjust(left=0.12, right=0.97, top=0.9, bottom=0.16)
    return _svg(figure)


# ---- the embedded episodes --------------------------------------------------------------------------------


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS] + f" ... ({len(text)} characters)"


def episode_payload(runs: Sequence[PlannerRun], max_conversations: int = MAX_CONVERSATIONS) -> dict[str, Any]:
    """Compact rows for every episode, and the conversations of up to `max_conversations` of them.

    A chosen episode id carries every planner's version of it (side by side); ids where some planner failed
    come first, then the rest in file order.
    """
    rows: list[list[Any]] = []
    failed_ids: dict[str, None] = {}
    other_ids: dict[str, None] = {}
    for pi, run in enumerate(runs):
        for episode in run.episodes:
            row = EpisodeRow.of(episode)
            rows.append(
                [
                    row.episode_id, pi, row.scenario_id, row.intent, row.difficulty, row.expected_route, row.route,
                    row.reason or "", row.turns, None if row.reward is None else round(row.reward, 4),
                    round(row.latency_s, 4), row.status,
                ]
            )  # fmt: skip
            (failed_ids if row.failed else other_ids)[row.episode_id] = None
    chosen: set[str] = set()
    budget = max_conversations
    for episode_id in [*failed_ids, *(i for i in other_ids if i not in failed_ids)]:
        if budget <= 0:
            break
        chosen.add(episode_id)
        budget -= len(runs)
    conversations: dict[str, list[list[str]]] = {}
    for pi, run in enumerate(runs):
        for episode in run.episodes:
            if episode.episode_id in chosen:
                turns = conversation(episode)
                conversations[f"{pi}|{episode.episode_id}"] = [[t.role, t.actor, _cut(t.text)] for t in turns]
    return {
        "planners": [run.label for run in runs],
        "columns": [
            "id", "planner", "scenario", "intent", "difficulty", "expected", "route", "reason", "turns", "reward",
            "latency_s", "status",
        ],
        "rows": rows,
        "conversations": conversations,
        "embedded": len(conversations),
    }  # fmt: skip


def _json_for_script(data: Any) -> str:
    # Inside <script>, "</" would end the element and "<!--" could open a comment state: no "<" at all then
    # (in JSON it can only stand inside a string, where \u003c means the same character).
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


# ---- the page ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    import jinja2

    text = (Path(__file__).parent / TEMPLATE).read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(text)


def _summary_rows(s: RunSummary) -> list[tuple[str, str]]:
    def ci(i: Any) -> str:
        return f"{i.value:.3f} [{i.low:.3f}, {i.high:.3f}]"

    return [
        ("episodes", f"{s.episodes} over {s.scenarios} scenarios ({s.trials} trial(s) each)"),
        ("route accuracy (micro, 95% CI)", ci(s.route_accuracy)),
        ("route accuracy (macro, 95% CI)", ci(s.macro_route_accuracy)),
        ("send-to-human accuracy", f"{s.send_to_human_accuracy:.3f}"),
        ("escalation precision / recall", f"{s.escalation_precision:.3f} / {s.escalation_recall:.3f}"),
        ("mean reward", f"{s.mean_reward:.3f}"),
        ("customer turns (mean)", f"{s.mean_customer_turns:.2f}"),
        ("invalid actions", str(s.invalid_actions)),
        ("latency p50 / p95 (s)", f"{s.latency_p50_s:.3f} / {s.latency_p95_s:.3f}"),
        ("cost per 1,000 episodes (USD)", f"{s.cost_per_1k_episodes_usd:.4f}"),
        ("pass^k", ", ".join(f"pass^{k} = {v:.3f}" for k, v in s.pass_hat_k.items()) or "n/a"),
        ("errors", ", ".join(f"{c}: {n}" for c, n in s.errors_by_cause.items()) or "none"),
    ]


# A table shown under the leaderboard: (title, column names, rows of cells), e.g. the paired comparisons.
ExtraTable = tuple[str, list[str], list[list[str]]]


def render_report_html(
    runs: Sequence[PlannerRun],
    *,
    title: str,
    max_conversations: int = MAX_CONVERSATIONS,
    judge: Mapping[str, Any] | None = None,
    tables: Sequence[ExtraTable] = (),
) -> str:
    """The whole page for one run (one PlannerRun) or a leaderboard (several); `judge` (planner -> RULER score)
    adds the leaderboard's RULER column, `tables` follow the leaderboard."""
    header, table = leaderboard_rows([run.summary for run in runs], judge)
    payload = episode_payload(runs, max_conversations)
    difficulties = sorted({e.difficulty for run in runs for e in run.episodes})
    return _template().render(
        title=title,
        leaderboard=len(runs) > 1,
        board_header=header,
        board_rows=table,
        tables=list(tables),
        planners=[
            {
                "label": run.label,
                "summary": _summary_rows(run.summary),
                "confusion": confusion_cells(run.summary),
                "pr_svg": precision_recall_svg(run.summary),
            }
            for run in runs
        ],
        latency_svg=latency_svg(runs),
        routes=ROUTES,
        predicted=PREDICTED,
        difficulties=difficulties,
        total_episodes=len(payload["rows"]),
        embedded=payload["embedded"],
        payload_json=_json_for_script(payload),
    )


def write_report_html(
    folder: Path,
    runs: Sequence[PlannerRun],
    *,
    title: str | None = None,
    judge: Mapping[str, Any] | None = None,
    tables: Sequence[ExtraTable] = (),
) -> Path:
    """Write `folder/report.html` (atomically) and return its path."""
    label = runs[0].label if len(runs) == 1 else f"{len(runs)} planners"
    page = render_report_html(runs, title=title or f"ccsim report: {label}", judge=judge, tables=tables)
    path = Path(folder) / REPORT_HTML
    write_text_atomic(path, page)
    return path
