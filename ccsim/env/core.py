"""`ContactCenterEnv`: the contact center as a step API, the planner being the agent under training.

No second episode loop: `reset` starts the canonical runner (`ccsim.agents.runner.run_episode`, the one
`ccsim.simulate` uses) in a background task, with an external planner whose `ainvoke(messages)` hands the
planner's messages to the env as the observation and waits for the action `step` brings. So an env
episode goes through the same graph, customers, helpers, scoring and reward, and produces the same
`Episode` record and ART trajectory as a graph-driven one.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import Runnable, RunnableConfig

from ccsim.agents.planner_actions import planner_tools
from ccsim.agents.planner_view import SYSTEM_NOTE_KEY, to_openai_messages
from ccsim.agents.runner import episode_id, run_episode
from ccsim.contact_center.config import EpisodeConfig, ModelSpec, parse_model_spec
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.reward import RewardSpec, as_rubric
from ccsim.env.models import Action, Observation, StepInfo, StepResult, coerce_action
from ccsim.env.sampling import ScenarioSource, as_sampler

T = TypeVar("T")
StepCallback = Callable[[StepResult], Awaitable[None] | None]
EpisodeCallback = Callable[[Episode], Awaitable[None] | None]
ActionLike = Action | dict[str, Any] | str | AIMessage

_Turn = tuple[list[BaseMessage], "asyncio.Future[BaseMessage]"]


class _ExternalPlanner(Runnable[LanguageModelInput, BaseMessage]):
    """The planner the graph calls: each call becomes an observation, and waits for the env's action."""

    def __init__(self, turns: asyncio.Queue[_Turn], name: str) -> None:
        self._turns = turns
        self.model_name = name

    def invoke(self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any) -> BaseMessage:
        raise RuntimeError("the env's planner is driven asynchronously by ContactCenterEnv.step")

    async def ainvoke(
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> BaseMessage:
        assert isinstance(input, list)
        answer: asyncio.Future[BaseMessage] = asyncio.get_running_loop().create_future()
        await self._turns.put((list(input), answer))
        return await answer


def _observation_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The trajectory keeps each planner turn's Choice under 'choice'; the agent sees plain chat messages.
    return [{key: value for key, value in m.items() if key != "choice"} for m in messages]


def _errors_in(messages: list[BaseMessage]) -> list[str]:
    """What the graph told the planner was wrong with its last turn (tool errors and simulator notes)."""
    errors: list[str] = []
    for message in messages:
        if isinstance(message, ToolMessage) and message.status == "error":
            errors.append(str(message.content))
        elif isinstance(message, HumanMessage) and message.additional_kwargs.get(SYSTEM_NOTE_KEY):
            errors.append(str(message.content).removeprefix("[system] "))
    return errors


async def _call(callback: Callable[[Any], Awaitable[None] | None] | None, value: Any) -> None:
    if callback is not None:
        maybe = callback(value)
        if inspect.isawaitable(maybe):
            await maybe


class ContactCenterEnv:
    """One contact-center episode at a time, driven step by step (asyncio). Create one env per concurrent
    episode; many run side by side in one event loop.

        env = ContactCenterEnv(scenarios, reward=my_rubric)
        obs = await env.reset(seed=3)
        while True:
            result = await env.step({"role": "assistant", "content": "Is it a charge you don't recognise?"})
            if result.done:
                break
        result.info.episode  # the scored Episode; env.trajectory() its art.Trajectory
    """

    def __init__(
        self,
        scenarios: ScenarioSource = None,
        *,
        customer: str | ModelSpec = "scripted",
        helper: str | ModelSpec = "scripted",
        reward: RewardSpec = None,
        max_turns: int = 8,
        timeout_s: float = 600.0,
        planner_label: str = "env",
        prices: PriceTable | None = None,
        on_step: StepCallback | None = None,
        on_episode_end: EpisodeCallback | None = None,
        seed: int | None = None,
    ) -> None:
        self.sampler = as_sampler(scenarios)
        self.customer = customer if isinstance(customer, ModelSpec) else parse_model_spec(customer)
        self.helper = helper if isinstance(helper, ModelSpec) else parse_model_spec(helper)
        self.rubric = as_rubric(reward)
        self.episode_config = EpisodeConfig(max_turns=max_turns, timeout_s=timeout_s)
        self.planner_label = planner_label
        self.prices = prices
        self.on_step = on_step
        self.on_episode_end = on_episode_end
        self.rng = random.Random(seed)
        self.scenario: Scenario | None = None
        self.trial = 0
        self.episode: Episode | None = None
        self._task: asyncio.Task[Episode] | None = None
        self._turns: asyncio.Queue[_Turn] = asyncio.Queue()
        self._pending: _Turn | None = None
        self._errors_reported = 0

    # -- the API ---------------------------------------------------------------------------------------

    async def reset(self, scenario: Scenario | None = None, *, seed: int | None = None, trial: int = 0) -> Observation:
        """Start an episode on `scenario`, or on one drawn from the scenario source (`seed` reseeds the draw),
        and return the planner's first observation. `trial` seeds the episode as `simulate`'s trials do."""
        await self.close()
        if seed is not None:
            self.rng = random.Random(seed)
        self.scenario = scenario if scenario is not None else self.sampler.sample(self.rng)
        self.trial = trial
        self.episode = None
        self._errors_reported = 0
        self._turns = asyncio.Queue()
        planner = _ExternalPlanner(self._turns, self.planner_label)
        self._task = asyncio.create_task(self._play(self.scenario, planner, trial))
        result = await self._advance([])
        return result.observation

    async def step(self, action: ActionLike) -> StepResult:
        """Play the planner's turn. A malformed action is recorded as an invalid action, never raised."""
        if self._pending is None:
            raise RuntimeError("no episode is waiting for an action: call reset() first (or after done)")
        messages, answer = self._pending
        self._pending = None
        parsed, problem = coerce_action(action)
        turn = sum(isinstance(m, AIMessage) for m in messages)
        try:
            message = parsed.to_message(turn=turn)
        except Exception as error:  # pydantic refusing a tool call LangChain could not shape
            message, problem = AIMessage(content=""), f"the action could not be read: {error}"
        if not answer.done():
            answer.set_result(message)
        result = await self._advance([problem] if problem else [], sent=len(messages))
        await _call(self.on_step, result)
        return result

    def trajectory(self) -> Any:
        """The finished episode's `art.Trajectory` (the same one `simulate` writes)."""
        if self.episode is None:
            raise RuntimeError("the episode has not finished")
        from ccsim.training.trajectory import episode_to_trajectory

        return episode_to_trajectory(self.episode)

    async def close(self) -> None:
        """Abandon a running episode (nothing is recorded for it)."""
        task, self._task, self._pending = self._task, None, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    # -- internals -------------------------------------------------------------------------------------

    async def _play(self, scenario: Scenario, planner: _ExternalPlanner, trial: int) -> Episode:
        return await run_episode(
            scenario,
            planner=planner,
            customer=self.customer,
            helper=self.helper,
            episode_config=self.episode_config,
            trial=trial,
            reward=self.rubric,
            planner_label=self.planner_label,
            prices=self.prices,
        )

    async def _advance(self, problems: list[str], sent: int = 0) -> StepResult:
        """Run the episode until the planner is asked again or the episode ends."""
        assert self._task is not None and self.scenario is not None
        getter = asyncio.ensure_future(self._turns.get())
        await asyncio.wait({getter, self._task}, return_when=asyncio.FIRST_COMPLETED)
        ep_id = episode_id(self.scenario.id, self.trial)
        if getter.done():
            self._pending = getter.result()
            messages = self._pending[0]
            # Everything after the planner's own turn: tool results, error notes, the customer's reply.
            errors = problems + _errors_in(messages[sent + 1 :] if sent else [])
            self._errors_reported += len(errors) - len(problems)
            observation = Observation(
                messages=_observation_messages(to_openai_messages(messages)),
                tools=planner_tools(),
                scenario_id=self.scenario.id,
                episode_id=ep_id,
                turn=sum(isinstance(m, AIMessage) for m in messages),
            )
            info = StepInfo(errors=errors, invalid_actions=self._errors_reported)
            return StepResult(observation=observation, reward=0.0, done=False, info=info)
        getter.cancel()
        episode = self._task.result()
        self._task = None
        self.episode = episode
        invalid = [e.content for e in episode.events if e.kind == "invalid_action"]
        errors = problems + invalid[self._errors_reported :] + ([episode.error] if episode.error else [])
        metrics = episode.metrics
        observation = Observation(
            messages=_observation_messages(episode.planner_messages),
            tools=planner_tools(),
            scenario_id=episode.scenario_id,
            episode_id=episode.episode_id,
            turn=metrics.planner_calls if metrics is not None else 0,
        )
        info = StepInfo(
            route=str(episode.final_route) if episode.final_route is not None else None,
            metrics=metrics,
            errors=errors,
            invalid_actions=len(invalid),
            status=episode.status,
            episode=episode,
        )
        await _call(self.on_episode_end, episode)
        return StepResult(
            observation=observation,
            reward=float(episode.reward or 0.0),
            done=True,
            truncated=episode.status in ("turn_limit", "timeout"),
            info=info,
        )


class _LoopThread:
    """One background event loop shared by every SyncContactCenterEnv in the process."""

    _lock = threading.Lock()
    _loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def run(cls, coroutine: Coroutine[Any, Any, T]) -> T:
        with cls._lock:
            if cls._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="ccsim-env-loop", daemon=True).start()
                cls._loop = loop
        return asyncio.run_coroutine_threadsafe(coroutine, cls._loop).result()


class SyncContactCenterEnv:
    """The blocking twin of ContactCenterEnv (same arguments), for loops without asyncio. Its episodes run
    on one background event loop, so it works inside Jupyter or another running loop too."""

    def __init__(self, scenarios: ScenarioSource = None, **kwargs: Any) -> None:
        self.env = _LoopThread.run(self._make(scenarios, kwargs))

    @staticmethod
    async def _make(scenarios: ScenarioSource, kwargs: dict[str, Any]) -> ContactCenterEnv:
        return ContactCenterEnv(scenarios, **kwargs)

    @property
    def episode(self) -> Episode | None:
        return self.env.episode

    def reset(self, scenario: Scenario | None = None, *, seed: int | None = None, trial: int = 0) -> Observation:
        return _LoopThread.run(self.env.reset(scenario, seed=seed, trial=trial))

    def step(self, action: ActionLike) -> StepResult:
        return _LoopThread.run(self.env.step(action))

    def trajectory(self) -> Any:
        return self.env.trajectory()

    def close(self) -> None:
        _LoopThread.run(self.env.close())
