"""Browsing stored runs: one compact row per episode, why an episode failed, and its conversation as turns.

`ccsim view`, report.md's failed-episodes list and report.html read runs through here. An index keeps only
a row and the byte offset of each line of episodes.jsonl, so a 10,000-episode run is listed without
validating or holding every event; one episode is read back (and validated) when it is opened.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ccsim.contact_center.episode import Episode, Event
from ccsim.contact_center.run_folder import EPISODES

LEADERBOARD_JSON = "leaderboard.json"

# How a turn of the conversation is shown: who speaks, or what kind of thing happened.
Role = Literal["customer", "planner", "action", "invalid", "tool", "helper", "handoff", "system", "error"]
_ROLE_OF_KIND: dict[str, Role] = {
    "customer_message": "customer",
    "planner_message": "planner",
    "planner_action": "action",
    "invalid_action": "invalid",
    "tool_call": "tool",
    "tool_result": "tool",
    "helper_message": "helper",
    "transfer": "handoff",
    "end": "system",
    "error": "error",
}
TOOL_RESULT_CHARS = 600  # tool results (JSON listings) are cut to this in views; the record keeps them whole


def failure_reason(
    *, status: str, error: str | None, expected: str | None, route: str | None, scored: bool, correct: bool
) -> str | None:
    """One line saying why an episode failed (None when it ended at the expected route)."""
    if status in ("error", "timeout"):
        return f"{status}: {(error or 'no message').splitlines()[0][:200]}"
    if not scored:
        return "not scored"
    if correct:
        return None
    got = route or "no route"
    if status == "turn_limit":
        return f"turn limit (expected {expected}, got {got})"
    return f"wrong route: expected {expected}, got {got}"


def episode_failure(episode: Episode) -> str | None:
    """`failure_reason` of a loaded episode."""
    m = episode.metrics
    return failure_reason(
        status=episode.status,
        error=episode.error,
        expected=m.expected_route.value if m else None,
        route=episode.final_route.value if episode.final_route else None,
        scored=m is not None,
        correct=bool(m and m.route_correct),
    )


@dataclass(frozen=True)
class EpisodeRow:
    """What a list of episodes shows about one, and where its line starts in episodes.jsonl."""

    episode_id: str
    scenario_id: str
    planner: str
    intent: str
    difficulty: str
    status: str
    expected_route: str
    route: str
    reason: str | None
    turns: int
    reward: float | None
    latency_s: float
    cost_usd: float
    offset: int = -1

    @property
    def failed(self) -> bool:
        return self.reason is not None

    @property
    def outcome(self) -> str:
        return "ok" if self.reason is None else ("error" if self.status in ("error", "timeout") else "failed")

    @classmethod
    def from_record(cls, record: dict[str, Any], offset: int = -1) -> EpisodeRow:
        """A row from one parsed JSON line of episodes.jsonl (no pydantic validation: fast)."""
        m = record.get("metrics") or {}
        expected, route = m.get("expected_route"), record.get("final_route")
        return cls(
            episode_id=str(record.get("episode_id", "?")),
            scenario_id=str(record.get("scenario_id", "?")),
            planner=str(record.get("planner", "?")),
            intent=str(record.get("intent", "")),
            difficulty=str(record.get("difficulty", "")),
            status=str(record.get("status", "")),
            expected_route=expected or "",
            route=route or "",
            reason=failure_reason(
                status=str(record.get("status", "")),
                error=record.get("error"),
                expected=expected,
                route=route,
                scored=bool(m),
                correct=bool(m.get("route_correct")),
            ),
            turns=int(m.get("customer_turns", 0)),
            reward=record.get("reward"),
            latency_s=float(m.get("latency_s", 0.0)),
            cost_usd=float(m.get("cost_usd", 0.0)),
            offset=offset,
        )

    @classmethod
    def of(cls, episode: Episode) -> EpisodeRow:
        m = episode.metrics
        return cls(
            episode_id=episode.episode_id,
            scenario_id=episode.scenario_id,
            planner=episode.planner,
            intent=episode.intent,
            difficulty=episode.difficulty,
            status=episode.status,
            expected_route=m.expected_route.value if m else "",
            route=episode.final_route.value if episode.final_route else "",
            reason=episode_failure(episode),
            turns=m.customer_turns if m else 0,
            reward=episode.reward,
            latency_s=m.latency_s if m else 0.0,
            cost_usd=m.cost_usd if m else 0.0,
        )


def _row_fields(line: bytes) -> dict[str, Any]:
    """The fields a row needs from one line, without parsing the event stream in the middle of it.

    An episode line is compact JSON with the scalars first, then events and the planner's messages (most of
    the bytes), then metrics, reward and start time. Inside a JSON string every quote is escaped, so the bytes
    `,"events":` and `,"metrics":` can only be those keys: the head and the tail parse as objects of their own.
    Anything else (another writer's spacing, a missing key) falls back to parsing the whole line.
    """
    head_end, tail_start = line.find(b',"events":'), line.rfind(b',"metrics":')
    if 0 < head_end < tail_start:
        try:
            record = json.loads(line[:head_end] + b"}")
            record.update(json.loads(b"{" + line[tail_start + 1 :]))
            return record
        except ValueError:
            pass
    return json.loads(line)


@dataclass
class RunIndex:
    """The rows of one run folder's episodes.jsonl, in file order."""

    folder: Path
    label: str
    rows: list[EpisodeRow] = field(default_factory=list)
    unreadable_lines: int = 0

    @classmethod
    def build(cls, folder: Path, label: str | None = None) -> RunIndex:
        index = cls(folder=Path(folder), label=label or Path(folder).name)
        path = index.folder / EPISODES
        offset = 0
        with path.open("rb") as handle:
            for line in handle:
                start, offset = offset, offset + len(line)
                if not line.strip():
                    continue
                try:
                    index.rows.append(EpisodeRow.from_record(_row_fields(line), start))
                except (ValueError, TypeError, AttributeError):
                    index.unreadable_lines += 1
        if label is None and index.rows:
            index.label = index.rows[0].planner
        return index

    def load(self, row: EpisodeRow) -> Episode:
        """The whole episode behind a row, read from its offset and validated."""
        with (self.folder / EPISODES).open("rb") as handle:
            handle.seek(row.offset)
            return Episode.model_validate_json(handle.readline())


def run_folders(path: Path) -> list[Path]:
    """The run folders under `path`: itself when it is a run folder, else its planners' folders (an eval folder),
    in the leaderboard's order when it has one."""
    path = Path(path)
    if (path / EPISODES).is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such run or eval folder")
    folders = sorted(p for p in path.iterdir() if (p / EPISODES).is_file())
    if not folders:
        raise FileNotFoundError(f"{path}: neither a run folder nor an eval folder (no {EPISODES} in it or below it)")
    return folders


def open_runs(path: Path) -> list[RunIndex]:
    """An index per run under `path` (a run folder or an eval folder), labelled by planner."""
    return [RunIndex.build(folder) for folder in run_folders(path)]


def select(
    rows: Iterable[EpisodeRow],
    *,
    only_failed: bool = False,
    route: str | None = None,
    difficulty: str | None = None,
    planner: str | None = None,
) -> Iterator[EpisodeRow]:
    """Rows that pass the filters; `route` matches the expected or the chosen route."""
    for row in rows:
        if only_failed and not row.failed:
            continue
        if route and route not in (row.expected_route, row.route):
            continue
        if difficulty and row.difficulty != difficulty:
            continue
        if planner and row.planner != planner:
            continue
        yield row


@dataclass(frozen=True)
class Turn:
    """One shown line of a conversation."""

    role: Role
    actor: str
    text: str


def _args(args: dict[str, Any] | None) -> str:
    return json.dumps(args or {}, ensure_ascii=False, sort_keys=True)


def turn_of(event: Event) -> Turn | None:
    """How an event is shown; None for events that repeat another (the transfer's action is its handoff)."""
    role = _ROLE_OF_KIND[event.kind]
    args = event.tool_args or {}
    if event.kind == "planner_action":
        if event.tool_name == "delegate":
            return Turn(role, "planner", f"delegate to {args.get('agent', '?')}: {args.get('task', '')}")
        if event.tool_name == "transfer_to_human":
            return Turn(role, "planner", f"transfer_to_human: {args.get('department', '?')}")
        return Turn(role, "planner", f"{event.tool_name}({_args(args)})")
    if event.kind == "invalid_action":
        return Turn(role, event.actor, f"{event.tool_name or 'action'}({_args(args)}): {event.content}")
    if event.kind == "tool_call":
        return Turn(role, event.actor, f"{event.tool_name}({_args(args)})")
    if event.kind == "tool_result":
        text = event.content
        if len(text) > TOOL_RESULT_CHARS:
            text = text[:TOOL_RESULT_CHARS] + f" ... ({len(event.content)} characters)"
        return Turn(role, event.actor, f"-> {text}")
    if event.kind == "transfer":
        department = args.get("department", "")
        return Turn(role, department or event.actor, event.content or str(args.get("summary", "")))
    return Turn(role, event.actor, event.content)


def conversation(episode: Episode) -> list[Turn]:
    """The episode as turns: customer, planner, planner actions, helper tool calls, the handoff summary."""
    return [turn for turn in map(turn_of, episode.events) if turn is not None]


def failed_episodes_markdown(episodes: Sequence[Episode], limit: int = 200) -> str:
    """report.md's section: every failed episode's id and one-line reason (the first `limit`)."""
    failed = [(e.episode_id, reason) for e in episodes if (reason := episode_failure(e)) is not None]
    if not failed:
        return "## Failed episodes\n\nnone\n"
    lines = [f"- `{episode_id}`: {reason.replace('|', '/')}" for episode_id, reason in failed[:limit]]
    more = (
        f"\n\n... and {len(failed) - limit} more (`ccsim view RUN --only-failed` lists them all)"
        if len(failed) > limit
        else ""
    )
    return (
        f"## Failed episodes\n\n{len(failed)} of {len(episodes)} episodes failed.\n\n" + "\n".join(lines) + more + "\n"
    )
