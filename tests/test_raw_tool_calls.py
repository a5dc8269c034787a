"""One parser for OpenAI tool calls, whether they come from an endpoint or from the step API."""

from __future__ import annotations

from langchain_core.messages import AIMessage

from ccsim.agents.raw_tool_calls import parse_raw_tool_calls, without_tool_calls


def call(name: str | None, arguments: str | None, call_id: str = "c1") -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def test_objects_parse_and_everything_else_is_an_invalid_call_with_its_raw_text() -> None:
    valid, invalid = parse_raw_tool_calls(
        [
            call("delegate", '{"agent": "transactions", "task": "t"}', "ok"),
            call("delegate", "", "empty"),
            call("transfer_to_human", '{"department": "fr', "broken"),
            call("delegate", "[1, 2]", "array"),
            call("delegate", '"text"', "string"),
            {"id": "bare"},
        ]
    )
    assert [(c["id"], c["args"]) for c in valid] == [("ok", {"agent": "transactions", "task": "t"}), ("empty", {})]
    assert [(c["id"], c["args"]) for c in invalid] == [
        ("broken", '{"department": "fr'),
        ("array", "[1, 2]"),
        ("string", '"text"'),
        ("bare", None),
    ]
    assert "not valid JSON" in (invalid[0]["error"] or "") and "not a JSON object" in (invalid[1]["error"] or "")
    # Both kinds fit in an AIMessage: a reply is never refused as a whole.
    AIMessage(content="", tool_calls=valid, invalid_tool_calls=invalid)


def test_without_tool_calls_keeps_the_rest_of_the_response() -> None:
    response = {
        "id": "x",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi", "tool_calls": []}}],
    }
    stripped = without_tool_calls(response)
    assert stripped["choices"][0]["message"] == {"role": "assistant", "content": "hi"}
    assert response["choices"][0]["message"]["tool_calls"] == [] and stripped["id"] == "x"
