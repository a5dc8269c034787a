"""The step API's contracts: what the agent sees (Observation), what it sends (Action), what comes back
(StepResult). All OpenAI chat format, so any trainer that samples chat completions can drive the env."""

from __future__ import annotations

import json
from typing import Any, Literal

from langchain_core.messages import AIMessage
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ccsim.agents.planner_view import assistant_message
from ccsim.agents.raw_tool_calls import parse_raw_tool_calls
from ccsim.contact_center.episode import Episode, EpisodeMetrics


class FunctionCall(BaseModel):
    """The `function` of an OpenAI tool call; `arguments` is the JSON string the model generated."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    arguments: str | None = Field(default=None, description="The argument string as sampled (may be broken JSON).")

    @field_validator("arguments", mode="before")
    @classmethod
    def _dict_to_json(cls, value: Any) -> Any:
        # A caller that already parsed the arguments: serialise them the way an endpoint would have sent them.
        return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


class ToolCall(BaseModel):
    """One OpenAI tool call."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    type: str = "function"
    function: FunctionCall


class Action(BaseModel):
    """The planner's turn: an OpenAI assistant message (text for the customer, or tool calls).

    `logprobs`, `finish_reason`, `model` and `usage` are optional extras from the sampling endpoint's
    Choice; they travel into the episode record and the ART trajectory unchanged.
    """

    model_config = ConfigDict(extra="ignore")

    role: Literal["assistant"] = "assistant"
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    logprobs: dict[str, Any] | None = Field(default=None, description="The Choice's logprobs, if sampled with them.")
    finish_reason: str | None = None
    model: str | None = Field(default=None, description="The model that sampled this turn (for token accounting).")
    usage: dict[str, int] | None = Field(default=None, description="{'prompt_tokens': n, 'completion_tokens': m}.")

    @classmethod
    def from_message(cls, message: AIMessage) -> Action:
        """The OpenAI action for a LangChain AIMessage (e.g. from `RulesPlanner().ainvoke(...)`)."""
        turn = assistant_message(message)
        choice = turn.pop("choice")
        return cls.model_validate(
            {
                **turn,
                "finish_reason": choice.get("finish_reason"),
                "logprobs": choice.get("logprobs"),
                "model": message.response_metadata.get("model_name"),
            }
        )

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(part.get("text", "")) for part in self.content if isinstance(part, dict))
        return self.content or ""

    def to_message(self, *, turn: int = 0) -> AIMessage:
        """The AIMessage a chat-completions endpoint would have produced for this turn.

        Parsed as langchain-openai parses a real response: arguments that are not a JSON object become an
        invalid tool call (the graph reports it to the planner and counts it), and the raw calls stay in
        `additional_kwargs['tool_calls']` so the trajectory carries what the model generated.
        """
        raw_calls: list[dict[str, Any]] = []
        for index, call in enumerate(self.tool_calls):
            call_id = call.id or f"call_{turn}_{index}"
            raw_calls.append(
                {
                    "id": call_id,
                    "type": call.type or "function",
                    "function": {"name": call.function.name, "arguments": call.function.arguments},
                }
            )
        tool_calls, invalid = parse_raw_tool_calls(raw_calls)
        metadata: dict[str, Any] = {"finish_reason": self.finish_reason or ("tool_calls" if raw_calls else "stop")}
        if self.logprobs is not None:
            metadata["logprobs"] = self.logprobs
        if self.model:
            metadata["model_name"] = self.model
        usage_metadata = None
        if self.usage:
            prompt, completion = int(self.usage.get("prompt_tokens", 0)), int(self.usage.get("completion_tokens", 0))
            usage_metadata = {"input_tokens": prompt, "output_tokens": completion, "total_tokens": prompt + completion}
        return AIMessage(
            content=self.text(),
            tool_calls=tool_calls,
            invalid_tool_calls=invalid,
            additional_kwargs={"tool_calls": raw_calls} if raw_calls else {},
            response_metadata=metadata,
            usage_metadata=usage_metadata,
        )


def coerce_action(action: Action | dict[str, Any] | str | AIMessage) -> tuple[Action, str | None]:
    """Any action a caller may send, as an Action, and why it could not be read (then it is an empty turn,
    which the graph records as an invalid action)."""
    if isinstance(action, Action):
        return action, None
    if isinstance(action, AIMessage):
        return Action.from_message(action), None
    if isinstance(action, str):
        return Action(content=action), None
    try:
        return Action.model_validate(action), None
    except ValidationError as error:
        return Action(content=""), f"the action is not an OpenAI assistant message: {error.errors()[0]['msg']}"


class Observation(BaseModel):
    """What the planner sees before its turn: its messages so far and its tools, both in OpenAI format."""

    messages: list[dict[str, Any]] = Field(description="System prompt, customer turns, tool results, own turns.")
    tools: list[dict[str, Any]] = Field(description="The planner's tools as OpenAI tool schemas.")
    scenario_id: str
    episode_id: str
    turn: int = Field(ge=0, description="Planner turns taken so far in this episode.")


class StepInfo(BaseModel):
    """What happened in the step, and at the end the whole record."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    route: str | None = Field(default=None, description="The final route (at the end) or None.")
    metrics: EpisodeMetrics | None = Field(default=None, description="The episode's metrics, at the end.")
    errors: list[str] = Field(default_factory=list, description="Invalid-action messages this step produced.")
    invalid_actions: int = Field(default=0, ge=0, description="Invalid actions so far in the episode.")
    status: str | None = Field(default=None, description="completed, turn_limit, timeout or error, at the end.")
    episode: Episode | None = Field(default=None, description="The scored episode record, at the end.")


class StepResult(BaseModel):
    """The outcome of one `step`: the next observation, the reward (the rubric's at the end, 0 before)."""

    observation: Observation
    reward: float
    done: bool
    truncated: bool = Field(default=False, description="Ended by the turn limit or the timeout, not by a decision.")
    info: StepInfo
