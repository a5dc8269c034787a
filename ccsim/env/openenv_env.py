"""The contact center as an OpenEnv environment (`pip install "ccsim[openenv]"`), its HTTP/WebSocket server
and its client, so TRL's, Unsloth's, SkyRL's and others' OpenEnv integrations can train the planner.

    ccsim serve-env --port 8000                     # the server (one episode per WebSocket session)

    async with ContactCenterClient(base_url="http://localhost:8000") as client:
        result = await client.reset(seed=3)          # result.observation.messages / .tools (OpenAI format)
        result = await client.step(ContactCenterAction(content="Do you recognise the merchant?"))
        ...                                          # result.reward is the rubric's when result.done

Every session wraps one `ContactCenterEnv`, so it plays the canonical episode; actions are OpenAI assistant
messages (malformed ones are recorded invalid actions, never HTTP errors).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openenv.core import EnvClient
from openenv.core.client_types import StepResult as OpenEnvStepResult
from openenv.core.env_server.http_server import create_app
from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import Action as OpenEnvAction
from openenv.core.env_server.types import EnvironmentMetadata, State
from openenv.core.env_server.types import Observation as OpenEnvObservation
from pydantic import Field

from ccsim.contact_center.models import Scenario
from ccsim.env.core import ContactCenterEnv, _LoopThread
from ccsim.env.models import StepResult
from ccsim.env.sampling import ScenarioSampler

ENV_NAME = "ccsim-contact-center"


class ContactCenterAction(OpenEnvAction):
    """The planner's turn, an OpenAI assistant message: `content` for the customer, or `tool_calls`."""

    role: str = "assistant"
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[dict[str, Any]] = Field(default_factory=list, description="OpenAI tool calls, raw arguments.")
    logprobs: dict[str, Any] | None = Field(default=None, description="The sampled Choice's logprobs, if any.")
    finish_reason: str | None = None
    model: str | None = None
    usage: dict[str, int] | None = None


class ContactCenterObservation(OpenEnvObservation):
    """The planner's messages and tools (OpenAI format); at the end the route, status and metrics too."""

    messages: list[dict[str, Any]] = Field(default_factory=list)
    tools: list[dict[str, Any]] = Field(default_factory=list)
    scenario_id: str = ""
    episode_id: str = ""
    turn: int = 0
    errors: list[str] = Field(default_factory=list, description="Invalid-action messages of the last step.")
    invalid_actions: int = 0
    truncated: bool = False
    route: str | None = None
    status: str | None = None
    metrics: dict[str, Any] | None = None


class ContactCenterState(State):
    scenario_id: str | None = None
    done: bool = False


def _observation(result: StepResult) -> ContactCenterObservation:
    obs, info = result.observation, result.info
    return ContactCenterObservation(
        done=result.done,
        reward=result.reward,
        messages=obs.messages,
        tools=obs.tools,
        scenario_id=obs.scenario_id,
        episode_id=obs.episode_id,
        turn=obs.turn,
        errors=info.errors,
        invalid_actions=info.invalid_actions,
        truncated=result.truncated,
        route=info.route,
        status=info.status,
        metrics=info.metrics.model_dump(mode="json") if info.metrics is not None else None,
    )


class ContactCenterEnvironment(Environment[ContactCenterAction, ContactCenterObservation, ContactCenterState]):
    """One `ContactCenterEnv` per session; reset takes `seed`, `scenario_id` and `trial`."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, scenarios: Sequence[Scenario] | ScenarioSampler | None = None, **env_kwargs: Any) -> None:
        super().__init__()
        self.env = ContactCenterEnv(scenarios, **env_kwargs)
        pool = self.env.sampler.scenarios
        self._by_id = {s.id: s for s in pool}
        self._state = ContactCenterState(step_count=0)

    async def reset_async(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        scenario_id: str | None = None,
        trial: int = 0,
        **kwargs: Any,
    ) -> ContactCenterObservation:
        scenario = None
        if scenario_id is not None:
            if scenario_id not in self._by_id:
                raise ValueError(f"unknown scenario_id {scenario_id!r}")
            scenario = self._by_id[scenario_id]
        first = await self.env.reset(scenario, seed=seed, trial=trial)
        self._state = ContactCenterState(episode_id=first.episode_id, step_count=0, scenario_id=first.scenario_id)
        return ContactCenterObservation(
            messages=first.messages,
            tools=first.tools,
            scenario_id=first.scenario_id,
            episode_id=first.episode_id,
            reward=0.0,
        )

    async def step_async(
        self, action: ContactCenterAction, timeout_s: float | None = None, **kwargs: Any
    ) -> ContactCenterObservation:
        result = await self.env.step(action.model_dump(exclude={"metadata"}))
        self._state.step_count += 1
        self._state.done = result.done
        return _observation(result)

    def reset(self, seed: int | None = None, episode_id: str | None = None, **kwargs: Any) -> ContactCenterObservation:
        return _LoopThread.run(self.reset_async(seed=seed, episode_id=episode_id, **kwargs))

    def step(
        self, action: ContactCenterAction, timeout_s: float | None = None, **kwargs: Any
    ) -> ContactCenterObservation:
        return _LoopThread.run(self.step_async(action, timeout_s=timeout_s))

    def close(self) -> None:
        # Called from a worker thread when the session ends: cancel an unfinished episode on its own loop.
        task = self.env._task
        if task is not None and not task.done():
            task.get_loop().call_soon_threadsafe(task.cancel)

    @property
    def state(self) -> ContactCenterState:
        return self._state

    def get_metadata(self) -> EnvironmentMetadata:
        return EnvironmentMetadata(
            name=ENV_NAME,
            description="A credit-card contact center: the agent is the routing planner (ask, delegate to a "
            "helper agent, or transfer to a human department); reward from ccsim's rubric.",
            version="0.1.0",
        )


class ContactCenterClient(EnvClient[ContactCenterAction, ContactCenterObservation, ContactCenterState]):
    """OpenEnv's WebSocket client for `ccsim serve-env` (async; `.sync()` gives the blocking one)."""

    def _step_payload(self, action: ContactCenterAction) -> dict[str, Any]:
        return action.model_dump(exclude={"metadata"}, exclude_none=True)

    def _parse_result(self, payload: dict[str, Any]) -> OpenEnvStepResult[ContactCenterObservation]:
        observation = ContactCenterObservation(
            **payload.get("observation", {}), done=payload.get("done", False), reward=payload.get("reward")
        )
        return OpenEnvStepResult(observation=observation, reward=payload.get("reward"), done=payload.get("done", False))

    def _parse_state(self, payload: dict[str, Any]) -> ContactCenterState:
        return ContactCenterState.model_validate(payload)


def create_env_app(
    scenarios: Sequence[Scenario] | None = None,
    *,
    max_concurrent_envs: int = 64,
    intent_weights: dict[str, float] | None = None,
    difficulty_weights: dict[str, float] | None = None,
    **env_kwargs: Any,
) -> Any:
    """The FastAPI app OpenEnv serves: one environment per WebSocket session, up to `max_concurrent_envs`."""
    if scenarios is None:
        from ccsim.api.scenario_sets import generate_scenarios

        scenarios = generate_scenarios(200, seed=0, split="train")
    pool = list(scenarios)

    def factory() -> ContactCenterEnvironment:
        sampler = ScenarioSampler(pool, intent_weights=intent_weights, difficulty_weights=difficulty_weights)
        return ContactCenterEnvironment(sampler, **env_kwargs)

    return create_app(
        factory,
        ContactCenterAction,
        ContactCenterObservation,
        env_name=ENV_NAME,
        max_concurrent_envs=max_concurrent_envs,
    )
