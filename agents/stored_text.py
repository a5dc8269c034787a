"""The guard between an episode and anything stored (issue 11): no full card number, SSN or CVV, and no
unbounded text, in events, in the planner's view, or in trajectories.

What the customer says is masked before the planner or the log sees it (`customer_text`). What the planner
writes is masked and capped where it is stored (`event_fields`, `stored_planner_messages`); a planner turn
changed that way loses its Choice and is marked (`contact_center.at_rest`), so it is never trained on.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ccsim.contact_center.at_rest import ALTERED_KEY, MAX_STORED_CHARS, SENSITIVE, TRUNCATED, truncate
from ccsim.tools.masking import redact_counted, redact_value


def safe_text(text: str) -> tuple[str, list[str]]:
    """Masked and capped text, and why it changed ([], ['sensitive'], ['truncated'] or both)."""
    reasons: list[str] = []
    masked, found = redact_counted(text)
    if found:
        reasons.append(SENSITIVE)
    capped, cut = truncate(masked)
    if cut:
        reasons.append(TRUNCATED)
    return capped, reasons


def customer_text(text: str) -> str:
    """What the customer said, as the planner and the log may see it."""
    return safe_text(text)[0]


def _safe_value(value: Any) -> tuple[Any, list[str]]:
    masked, found = redact_value(value)
    reasons = [SENSITIVE] if found else []
    if isinstance(masked, dict):
        capped: dict[Any, Any] = {}
        for key, item in masked.items():
            if isinstance(item, str):
                item, cut = truncate(item)
                if cut and TRUNCATED not in reasons:
                    reasons.append(TRUNCATED)
            capped[key] = item
        masked = capped
    encoded = json.dumps(masked, default=str)
    if len(encoded) > 4 * MAX_STORED_CHARS:
        # Many or nested values: stored as one capped JSON text.
        masked = {"raw": truncate(encoded, 4 * MAX_STORED_CHARS)[0]}
        if TRUNCATED not in reasons:
            reasons.append(TRUNCATED)
    return masked, reasons


def event_fields(content: str, fields: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """An event's content and tool arguments as they may be stored."""
    content = safe_text(content)[0]
    if fields.get("tool_args") is not None:
        fields = {**fields, "tool_args": _safe_value(fields["tool_args"])[0]}
    return content, fields


@functools.lru_cache(maxsize=16)
def _safe_system_text(text: str) -> tuple[str, tuple[str, ...]]:
    # The planner's system prompt is the same long text in every episode (5 kB: masking it took about 2 ms).
    # Only system prompts are cached: they are the simulator's own text, never what a customer typed.
    masked, reasons = safe_text(text)
    return masked, tuple(reasons)


def _safe_message(message: dict[str, Any]) -> dict[str, Any]:
    reasons: list[str] = []
    out = dict(message)
    if isinstance(out.get("content"), str):
        if out.get("role") == "system":
            out["content"], cached_why = _safe_system_text(out["content"])
            reasons += cached_why
        else:
            out["content"], why = safe_text(out["content"])
            reasons += why
    if out.get("tool_calls"):
        calls = []
        for call in out["tool_calls"]:
            function = dict(call.get("function") or {})
            if isinstance(function.get("arguments"), str):
                function["arguments"], why = safe_text(function["arguments"])
                reasons += why
            elif function.get("arguments") is not None:
                function["arguments"], why = _safe_value(function["arguments"])
                reasons += why
            calls.append({**call, "function": function})
        out["tool_calls"] = calls
    if out.get("role") == "assistant" and reasons:
        # The stored text is no longer what the model generated: its Choice (and logprobs) cannot stay.
        out.pop("choice", None)
        out[ALTERED_KEY] = ",".join(sorted(set(reasons)))
    return out


def stored_planner_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The planner's view (OpenAI chat dicts) as it may be stored: masked, capped, altered turns marked."""
    return [_safe_message(message) for message in messages]
