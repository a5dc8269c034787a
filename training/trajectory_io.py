"""Trajectories as JSONL that keeps Choices trainable.

ART's own pydantic JSON round trip (`Trajectory.model_validate_json(t.model_dump_json())`) brings an
OpenAI `Choice` back as a plain dict: ART's message type is validated with `SkipValidation`, so the dict
is accepted as a message and the turn silently stops being trainable. Here every item of
`messages_and_choices` is tagged ({"type": "choice"} or {"type": "message"}) so loading is unambiguous.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ccsim.training.art_adapter import Choice, Trajectory

FORMAT = "ccsim.trajectory/v1"


def _tag(item: Any) -> dict[str, Any]:
    if isinstance(item, Choice):
        return {"type": "choice", "choice": item.model_dump(mode="json")}
    return {"type": "message", "message": dict(item)}


def _untag(item: dict[str, Any]) -> Any:
    kind = item.get("type")
    if kind == "choice":
        return Choice.model_validate(item["choice"])
    if kind == "message":
        return item["message"]
    raise ValueError(f"trajectory item without a known 'type' tag: {item!r:.200}")


def _dump_history(messages_and_choices: Iterable[Any]) -> list[dict[str, Any]]:
    return [_tag(item) for item in messages_and_choices]


def trajectory_to_record(trajectory: Trajectory) -> dict[str, Any]:
    record = trajectory.model_dump(mode="json", exclude={"messages_and_choices", "additional_histories"})
    record["format"] = FORMAT
    record["messages_and_choices"] = _dump_history(trajectory.messages_and_choices)
    record["additional_histories"] = [
        {"messages_and_choices": _dump_history(history.messages_and_choices), "tools": history.tools}
        for history in trajectory.additional_histories
    ]
    return record


def trajectory_from_record(record: dict[str, Any]) -> Trajectory:
    if record.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} record (format={record.get('format')!r})")
    fields = {key: value for key, value in record.items() if key != "format"}
    fields["messages_and_choices"] = [_untag(item) for item in record["messages_and_choices"]]
    fields["additional_histories"] = [
        {"messages_and_choices": [_untag(item) for item in history["messages_and_choices"]], "tools": history["tools"]}
        for history in record.get("additional_histories", [])
    ]
    return Trajectory.model_validate(fields)


def dumps_trajectory(trajectory: Trajectory) -> str:
    """One JSON line (no trailing newline)."""
    return json.dumps(trajectory_to_record(trajectory), ensure_ascii=False, separators=(",", ":"))


def loads_trajectory(line: str) -> Trajectory:
    return trajectory_from_record(json.loads(line))


def write_trajectories(path: str | Path, trajectories: Iterable[Trajectory]) -> int:
    """Append one line per trajectory, flushed per line so a killed run keeps what it wrote. Returns the count."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with target.open("a", encoding="utf-8") as file:
        for trajectory in trajectories:
            file.write(dumps_trajectory(trajectory) + "\n")
            file.flush()
            count += 1
    return count


def load_trajectories(path: str | Path) -> list[Trajectory]:
    """Every trajectory in the file, Choices (with logprobs) restored as `Choice` objects."""
    with Path(path).open(encoding="utf-8") as file:
        return [loads_trajectory(line) for line in file if line.strip()]
