"""What a planner does in a turn, and its two tools, delegate(agent, task) and transfer_to_human(department,
summary).

`PlannerDecision` is a planner's move: ask the customer, delegate to a helper, or transfer to a department.
The rules and built-in planners decide one directly; an LLM planner's tool call is parsed into one.
PLANNER_TOOLS holds the OpenAI tool schemas exactly as they are bound to the planner model (and exported
with each trajectory); `ChatOpenAI.bind_tools(PLANNER_TOOLS)` takes them as they are. `parse_action` is the
one place that decides whether a tool call the planner made is a valid action, and it says why not in a
sentence the planner can act on.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ccsim.agents.questions import ClarifyingQuestion, question_text
from ccsim.contact_center.taxonomy import HELPER_ROUTES, HUMAN_ROUTES, Route, UnknownRouteError, parse_route

DELEGATE = "delegate"
TRANSFER_TO_HUMAN = "transfer_to_human"

_HELPERS = ", ".join(r.value for r in HELPER_ROUTES)
_HUMANS = ", ".join(r.value for r in HUMAN_ROUTES)


class DelegateArgs(BaseModel):
    """Arguments of delegate(agent, task)."""

    model_config = ConfigDict(extra="forbid")

    agent: Route = Field(description=f"The helper agent that takes the task: one of {_HELPERS}.")
    task: str = Field(min_length=1, description="What the helper should do, in one or two sentences.")


class TransferArgs(BaseModel):
    """Arguments of transfer_to_human(department, summary)."""

    model_config = ConfigDict(extra="forbid")

    department: Route = Field(description=f"The human department that takes the call: one of {_HUMANS}.")
    summary: str = Field(
        min_length=1,
        description="The facts the department needs: merchant, amount, date, card's last four digits, what the "
        "customer says happened. Never a full card number.",
    )


def _tool_schema(name: str, description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": list(properties),
                "additionalProperties": False,
            },
        },
    }


DELEGATE_TOOL: dict[str, Any] = _tool_schema(
    DELEGATE,
    "Hand the customer's request to an automated helper agent that can act on the account. "
    "Use it when the issue belongs to a helper agent.",
    {
        "agent": {
            "type": "string",
            "enum": [r.value for r in HELPER_ROUTES],
            "description": DelegateArgs.model_fields["agent"].description,
        },
        "task": {"type": "string", "description": DelegateArgs.model_fields["task"].description},
    },
)

TRANSFER_TOOL: dict[str, Any] = _tool_schema(
    TRANSFER_TO_HUMAN,
    "Transfer the call to a human department, with a summary of the issue. This ends your part of the call.",
    {
        "department": {
            "type": "string",
            "enum": [r.value for r in HUMAN_ROUTES],
            "description": TransferArgs.model_fields["department"].description,
        },
        "summary": {"type": "string", "description": TransferArgs.model_fields["summary"].description},
    },
)

# Exactly what the planner model is bound to; LangChain's bind_tools accepts OpenAI-format dicts unchanged.
PLANNER_TOOLS: list[dict[str, Any]] = [DELEGATE_TOOL, TRANSFER_TOOL]
PLANNER_TOOL_NAMES: tuple[str, ...] = (DELEGATE, TRANSFER_TO_HUMAN)
_PLANNER_TOOLS_JSON = json.dumps(PLANNER_TOOLS)


def planner_tools() -> list[dict[str, Any]]:
    """A fresh copy of PLANNER_TOOLS for a record to keep (parsing the JSON once more is faster than deepcopy)."""
    tools: list[dict[str, Any]] = json.loads(_PLANNER_TOOLS_JSON)
    return tools


class PlannerDecision(BaseModel):
    """What a planner does this turn: ask the customer, delegate to a helper agent, or transfer to a department."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["ask", "delegate", "transfer"] = Field(description="Ask the customer, delegate, or transfer.")
    text: str = Field(min_length=1, description="The question asked, the helper's task, or the handoff summary.")
    route: Route | None = Field(default=None, description="The helper or department; None when asking.")
    question: ClarifyingQuestion | None = Field(default=None, description="The clarifying question asked, if one.")
    tool_call_id: str | None = Field(default=None, description="The id of the tool call it was parsed from.")

    @model_validator(mode="after")
    def _route_fits_kind(self) -> Self:
        if self.kind == "ask":
            if self.route is not None:
                raise ValueError("an 'ask' decision has no route")
        elif self.route is None:
            raise ValueError(f"a {self.kind!r} decision needs a route")
        elif (self.route in HELPER_ROUTES) != (self.kind == "delegate"):
            raise ValueError(f"{self.route.value!r} cannot be the route of a {self.kind!r} decision")
        elif self.question is not None:
            raise ValueError(f"a {self.kind!r} decision asks no question")
        return self

    @classmethod
    def ask(cls, question: ClarifyingQuestion) -> PlannerDecision:
        """Ask one of the policy's clarifying questions, in its canonical wording."""
        return cls(kind="ask", question=question, text=question_text(question))

    @classmethod
    def delegate(cls, route: Route, task: str, tool_call_id: str | None = None) -> PlannerDecision:
        return cls(kind="delegate", route=route, text=task, tool_call_id=tool_call_id)

    @classmethod
    def transfer(cls, route: Route, summary: str, tool_call_id: str | None = None) -> PlannerDecision:
        return cls(kind="transfer", route=route, text=summary, tool_call_id=tool_call_id)


class InvalidAction(BaseModel):
    """A tool call that is not a valid action; `error` is what the planner is told."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["invalid"] = "invalid"
    error: str
    tool_name: str | None = None
    tool_call_id: str | None = None
    raw_args: Any = None


def _route_error(field: str, value: object, want_helper: bool) -> str | None:
    """Why `value` is not a valid agent (helper) or department (human), or None when it is."""
    tool, other_tool = (DELEGATE, TRANSFER_TO_HUMAN) if want_helper else (TRANSFER_TO_HUMAN, DELEGATE)
    allowed = _HELPERS if want_helper else _HUMANS
    if not isinstance(value, str):
        return f"{tool}: '{field}' must be a string, one of: {allowed}."
    try:
        route = parse_route(value)
    except UnknownRouteError:
        return f"{tool}: unknown {field} {value!r}; use one of: {allowed}."
    if (route in HELPER_ROUTES) != want_helper:
        kind = "a human department" if want_helper else "a helper agent"
        arg = "department" if want_helper else "agent"
        return f"{tool}: {route.value!r} is {kind}; call {other_tool}({arg}={route.value!r}, ...) to route there."
    return None


def parse_action(tool_call: dict[str, Any]) -> PlannerDecision | InvalidAction:
    """Validate one LangChain tool call ({'name', 'args', 'id'}) as a planner action."""
    name = tool_call.get("name")
    args = tool_call.get("args")
    call_id = tool_call.get("id")

    def invalid(error: str) -> InvalidAction:
        return InvalidAction(error=error, tool_name=name, tool_call_id=call_id, raw_args=args)

    if name not in PLANNER_TOOL_NAMES:
        return invalid(f"Unknown tool {name!r}; the only tools are {DELEGATE} and {TRANSFER_TO_HUMAN}.")
    if not isinstance(args, dict):
        return invalid(f"{name}: arguments must be a JSON object.")
    want_helper = name == DELEGATE
    model: type[BaseModel] = DelegateArgs if want_helper else TransferArgs
    route_field = "agent" if want_helper else "department"
    if route_field in args and (error := _route_error(route_field, args[route_field], want_helper)):
        return invalid(error)
    try:
        parsed = model.model_validate(
            {**args, route_field: parse_route(args[route_field])} if route_field in args else args
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg'].lower()}" for e in error.errors()
        )
        expected = "agent, task" if want_helper else "department, summary"
        return invalid(f"{name}: invalid arguments ({problems}); expected exactly: {expected}.")
    if isinstance(parsed, DelegateArgs):
        task = parsed.task.strip()
        if not task:
            return invalid(f"{DELEGATE}: 'task' is empty; say what the helper should do.")
        return PlannerDecision.delegate(parsed.agent, task, call_id)
    assert isinstance(parsed, TransferArgs)
    summary = parsed.summary.strip()
    if not summary:
        return invalid(f"{TRANSFER_TO_HUMAN}: 'summary' is empty; summarise the issue for the department.")
    return PlannerDecision.transfer(parsed.department, summary, call_id)


def parse_invalid_tool_call(invalid_tool_call: dict[str, Any]) -> InvalidAction:
    """A LangChain invalid_tool_call (arguments that are not JSON) as an InvalidAction."""
    name = invalid_tool_call.get("name")
    raw = invalid_tool_call.get("args")
    return InvalidAction(
        error=f"{name or 'tool call'}: the arguments are not valid JSON ({raw!r}); send a JSON object.",
        tool_name=name,
        tool_call_id=invalid_tool_call.get("id"),
        raw_args=raw,
    )


def action_arguments(action: PlannerDecision) -> dict[str, str]:
    """The arguments of a delegate or transfer decision as the planner tool takes them."""
    if action.route is None:
        raise ValueError(f"an {action.kind!r} decision calls no tool")
    if action.kind == "delegate":
        return {"agent": action.route.value, "task": action.text}
    return {"department": action.route.value, "summary": action.text}


def action_tool_name(action: PlannerDecision) -> str:
    """The tool a delegate or transfer decision calls."""
    if action.kind == "ask":
        raise ValueError("an 'ask' decision calls no tool")
    return DELEGATE if action.kind == "delegate" else TRANSFER_TO_HUMAN


def arguments_json(action: PlannerDecision) -> str:
    """The canonical JSON argument string of an action (for policies that emit tool calls themselves)."""
    return json.dumps(action_arguments(action), ensure_ascii=False)
