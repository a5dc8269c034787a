# verifiers ships no type information (no py.typed): its base classes and decorators are Any to mypy.
# mypy: disallow-subclassing-any=False, disallow-untyped-decorators=False
"""The contact center as a verifiers (>= 0.4, `verifiers.v1`) environment (`pip install "ccsim[verifiers]"`).

verifiers finds an environment by id: `vf-eval ccsim-contact-center` (and prime-rl's env server, which
loads through the same `verifiers.v1.load_environment`) imports the module named after the id,
`ccsim_contact_center`, a re-export of this one. That module exports one of each plugin verifiers looks
for: the taskset (the scenarios), the env (who plays the user: the rest of the contact center) and the
harness (how the planner model is called), so the id alone gives the whole environment.

    vf-eval ccsim-contact-center -n 5 -m MODEL --client.base-url http://localhost:8000/v1 --no-push

One episode: `ContactCenterVerifiersEnv.run` starts a `ContactCenterEnv` (the canonical graph,
customer, helpers, bank tools, scoring and reward) and opens an interaction with the planner seat.
Everything the planner should read next (system prompt, customer turns, tool results) goes in as the
interaction's turn; the planner model answers once per turn through verifiers' interception server,
which records the call in the trace; its assistant message (text or tool calls) is the env's `step`.
When the episode ends, the rubric's reward rides the trace state into the task's `@vf.reward`.

Offline: the planner seat defaults to the local subprocess runtime, and the harness calls the model
in-process (no program to install with uv), so nothing but the model endpoint is contacted.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import verifiers.v1 as vf  # type: ignore[import-untyped]
from openai import AsyncOpenAI
from pydantic import Field
from verifiers.v1.dialects.chat import message_to_wire  # type: ignore[import-untyped]

from ccsim.agents.planner_actions import planner_tools
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.reward import Rubric, as_rubric, import_object
from ccsim.env.core import ContactCenterEnv, EpisodeCallback, StepCallback
from ccsim.env.models import StepResult
from ccsim.env.sampling import ScenarioSampler

ENV_ID = "ccsim-contact-center"
"""The id verifiers' tools take (`vf-eval ccsim-contact-center`); the module it imports is `ccsim_contact_center`."""


# -- the taskset: which scenarios, in which order -----------------------------------------------------


class ContactCenterData(vf.TaskData):
    """One task: the scenario to play (looked up in the taskset's pool, so no customer data rides the
    trace's task record) and the trial that seeds its scripted customer."""

    scenario_id: str
    intent: str = ""
    difficulty: str = ""
    trial: int = 0


class ContactCenterState(vf.State):
    """What the finished ccsim episode leaves on the trace for the task's reward and metrics."""

    finished: bool = False
    reward: float = 0.0
    breakdown: dict[str, float] = Field(default_factory=dict)
    route: str | None = None
    status: str | None = None
    invalid_actions: int = 0
    planner_turns: int = 0
    episode_id: str | None = None


class ContactCenterTask(vf.Task[ContactCenterData, ContactCenterState]):
    """Scoring is the ccsim rubric's: the env applies it to the finished `Episode` (as `ccsim.simulate`
    does), so the task only reports it."""

    @vf.reward(weight=1.0)
    async def ccsim_reward(self, trace: vf.Trace) -> float:
        # An episode the planner seat never finished (a verifiers turn limit, a failed model call) earns 0.
        state = trace.state
        return state.reward if isinstance(state, ContactCenterState) and state.finished else 0.0

    @vf.metric
    async def ccsim(self, trace: vf.Trace) -> dict[str, float]:
        state = trace.state
        if not isinstance(state, ContactCenterState) or not state.finished:
            return {"finished": 0.0}
        return {
            "finished": 1.0,
            "invalid_actions": float(state.invalid_actions),
            "planner_turns": float(state.planner_turns),
            **{f"rubric/{name}": value for name, value in state.breakdown.items()},
        }


class ContactCenterTasksetConfig(vf.TasksetConfig):
    """Which scenarios the run plays (`--env.taskset.*`). A pool (generated, or `scenarios_path`) is played
    in order; intent or difficulty weights, or a curriculum, draw `num_tasks` scenarios instead."""

    num_scenarios: int = Field(50, ge=1, description="Scenarios to generate when no scenarios_path is given.")
    seed: int = 0
    split: str | None = Field("test", description="The generated scenarios' split (None: 80/10/10 by id).")
    scenarios_path: str | None = Field(None, description="A JSONL or CSV scenario file (ccsim.load_scenarios).")
    intent_weights: dict[str, float] = Field(default_factory=dict)
    difficulty_weights: dict[str, float] = Field(default_factory=dict)
    curriculum: str | None = Field(None, description="'module:function', (n, rng) -> Scenario, as ccsim.env takes.")
    num_tasks: int | None = Field(None, ge=1, description="Draws when sampling (default: the pool's size).")
    sample_seed: int = 0
    trial: int = 0


class ContactCenterTaskset(vf.Taskset[ContactCenterTask, ContactCenterTasksetConfig]):
    """ccsim scenarios as verifiers tasks; `scenario(id)` gives the env the scenario a task names."""

    def __init__(self, config: ContactCenterTasksetConfig) -> None:
        super().__init__(config)
        self.pool = self._pool(config)
        self.plan = self._plan(config)
        self.by_id = {s.id: s for s in [*self.pool, *self.plan]}

    @staticmethod
    def _pool(config: ContactCenterTasksetConfig) -> list[Scenario]:
        from ccsim.api.scenario_sets import generate_scenarios, load_scenarios

        if config.scenarios_path:
            return load_scenarios(config.scenarios_path)
        return generate_scenarios(config.num_scenarios, seed=config.seed, split=config.split)

    def _plan(self, config: ContactCenterTasksetConfig) -> list[Scenario]:
        # Drawn once, here, so every iteration (and every process built from the same config) sees the same tasks.
        if not (config.intent_weights or config.difficulty_weights or config.curriculum):
            return list(self.pool)
        sampler = ScenarioSampler(
            self.pool,
            intent_weights=config.intent_weights,
            difficulty_weights=config.difficulty_weights,
            curriculum=import_object(config.curriculum) if config.curriculum else None,
        )
        rng = random.Random(config.sample_seed)
        return [sampler.sample(rng) for _ in range(config.num_tasks or len(self.pool))]

    def load(self) -> Iterator[ContactCenterTask]:
        for scenario in self.plan:
            data = ContactCenterData(
                name=scenario.id,
                scenario_id=scenario.id,
                intent=scenario.intent,
                difficulty=scenario.difficulty.value,
                trial=self.config.trial,
            )
            yield ContactCenterTask(data, self.config.task)

    def scenario(self, scenario_id: str) -> Scenario:
        try:
            return self.by_id[scenario_id]
        except KeyError:
            raise KeyError(f"scenario {scenario_id!r} is not in this taskset (check --env.taskset.*)") from None


# -- the harness: one model call per turn, tool calls handed back unexecuted -------------------------------


class ContactCenterHarnessConfig(vf.HarnessConfig):
    pass


def _wire(message: vf.Message) -> dict[str, Any]:
    """A conversation message as ccsim's planner view has it (`agents/planner_view.py`). verifiers names a
    tool result after its call when it stores the conversation; the planner's view never has that name, so
    it goes, and the model reads the very messages `ccsim.simulate`'s planner reads."""
    wire = message_to_wire(message)
    if wire["role"] == "tool":
        wire.pop("name", None)
    return wire


class ContactCenterHarness(vf.Harness[ContactCenterHarnessConfig]):
    """The planner's program: one chat completion per turn, on the whole conversation, offering the
    planner's tools. The env executes the tool calls (they are the contact center's actions), so the
    harness runs nothing, in-process, and its model call goes through verifiers' interception
    `endpoint`, which records it in the trace (tokens, the reply) and forwards it to the run's model."""

    APPENDS_SYSTEM_PROMPT = True
    SUPPORTS_RESUME = True
    EXECUTES_CODE = False
    NEEDS_CONTAINER = False

    async def launch(
        self,
        ctx: vf.ModelContext,
        trace: vf.Trace,
        runtime: vf.Runtime,
        endpoint: str,
        secret: str,
        mcp_urls: dict[str, str],
        data: vf.TaskData,
    ) -> vf.ProgramResult:
        system, prompt = self.resolve_prompt(data)
        messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
        if isinstance(prompt, str):
            messages.append({"role": "user", "content": prompt})
        elif prompt:
            messages.extend(_wire(message) for message in prompt)
        # max_retries=0: verifiers' own retry policy (--env.planner.retries) decides, not the SDK's.
        async with AsyncOpenAI(base_url=endpoint, api_key=secret, max_retries=0) as client:
            await client.chat.completions.create(
                model=ctx.model,
                messages=messages,  # type: ignore[arg-type]
                tools=planner_tools(),  # type: ignore[arg-type]
            )
        return vf.ProgramResult(exit_code=0, stdout="", stderr="")


# -- the env: the contact center plays the user --------------------------------------------------------------


class ContactCenterEnvConfig(vf.EnvConfig):
    """The env's knobs (`--env.*`) and its one seat, the planner (`--env.planner.*`)."""

    planner: vf.AgentConfig = vf.AgentConfig(runtime=vf.SubprocessConfig())
    """The planner seat, the model under evaluation or training. The subprocess runtime is local: the
    default harness runs no program in it, so no sandbox (and no network) is needed."""
    customer: str = Field("scripted", description="The customer's ModelSpec (scripted, openai:MODEL@URL, ...).")
    helper: str = Field("scripted", description="The helpers' ModelSpec.")
    reward: str | dict[str, Any] | None = Field(
        None, description="The rubric: 'module:function', RewardConfig weights, or a rubric's JSON (ccsim.as_rubric)."
    )
    max_turns: int = Field(8, ge=1, description="Planner turns before the episode ends as turn_limit.")
    episode_timeout_s: float = Field(600.0, gt=0)
    on_step: str | None = Field(None, description="'module:function' called with each StepResult.")
    on_episode_end: str | None = Field(None, description="'module:function' called with each finished Episode.")


def _action(segment: vf.Segment) -> dict[str, Any]:
    """The planner's reply as the step API's action (an OpenAI assistant message, arguments as sampled)."""
    reply = next((m for m in reversed(segment.messages) if isinstance(m, vf.AssistantMessage)), None)
    if reply is None:
        return {"role": "assistant", "content": ""}
    return message_to_wire(reply)


class ContactCenterVerifiersEnv(vf.Env[ContactCenterEnvConfig]):
    """One ccsim episode per verifiers episode: the contact center (customer, helpers, bank tools,
    scoring, reward) is the planner's user."""

    taskset: ContactCenterTaskset

    def __init__(self, config: ContactCenterEnvConfig) -> None:
        super().__init__(config)
        if not isinstance(self.taskset, ContactCenterTaskset):
            raise TypeError(f"{type(self).__name__} plays ccsim scenarios: use the {ENV_ID!r} taskset")
        self.rubric: Rubric = as_rubric(config.reward)
        self.on_step: StepCallback | None = import_object(config.on_step) if config.on_step else None
        self.on_episode_end: EpisodeCallback | None = (
            import_object(config.on_episode_end) if config.on_episode_end else None
        )

    def contact_center(self, scenario: Scenario) -> ContactCenterEnv:
        """A fresh step-API env for one episode (one per episode, so episodes run concurrently)."""
        config = self.config
        return ContactCenterEnv(
            [scenario],
            customer=config.customer,
            helper=config.helper,
            reward=self.rubric,
            max_turns=config.max_turns,
            timeout_s=config.episode_timeout_s,
            planner_label=f"verifiers:{config.planner.model or 'run-model'}",
            on_step=self.on_step,
            on_episode_end=self.on_episode_end,
        )

    async def run(self, task: vf.Task, agents: vf.Agents) -> None:
        data = task.data
        assert isinstance(data, ContactCenterData)
        scenario = self.taskset.scenario(data.scenario_id)
        env = self.contact_center(scenario)
        observation = await env.reset(scenario, trial=data.trial)
        seen = 0  # the conversation messages the planner seat already holds
        try:
            async with agents.planner.interaction(task) as interaction:
                while True:
                    segment = await interaction.turn(observation.messages[seen:])
                    if segment.terminated:
                        break  # a verifiers limit or stop ended the seat first: no reward
                    # The seat now holds the observation and its own reply; ccsim records that reply itself.
                    seen = len(observation.messages) + 1
                    result = await env.step(_action(segment))
                    if result.done:
                        self._record(interaction.trace, result, self.rubric)
                        break
                    observation = result.observation
        finally:
            await env.close()

    @staticmethod
    def _record(trace: vf.Trace, result: StepResult, rubric: Rubric) -> None:
        episode, state = result.info.episode, trace.state
        assert episode is not None and isinstance(state, ContactCenterState)
        state.finished = True
        state.reward = result.reward
        state.route = result.info.route
        state.status = result.info.status
        state.invalid_actions = result.info.invalid_actions
        state.planner_turns = result.observation.turn
        state.episode_id = episode.episode_id
        state.breakdown = rubric.breakdown(episode)


def load_environment(**kwargs: Any) -> vf.Env:
    """The environment as verifiers builds it for `vf-eval ccsim-contact-center`, through verifiers' own
    loader. Keyword arguments are `ContactCenterEnvConfig` fields (customer, helper, reward, max_turns,
    planner, ...) plus `taskset`, a dict of `ContactCenterTasksetConfig` fields. Here `reward` may also be a
    `Rubric` or a function of the `Episode`, and `on_step` / `on_episode_end` functions (in-process only:
    vf-eval and env servers build the env from the config, which takes 'module:function' strings):

        env = load_environment(taskset={"num_scenarios": 20, "difficulty_weights": {"hard": 3}})
    """
    taskset = {**dict(kwargs.pop("taskset", None) or {}), "id": ENV_ID}
    # Objects cannot ride the serialisable config (strings and dicts can): the env takes them once built.
    objects = {
        key: kwargs.pop(key)
        for key in ("reward", "on_step", "on_episode_end")
        if kwargs.get(key) is not None and not isinstance(kwargs[key], str | dict)
    }
    env = vf.load_environment(vf.resolve_env_config({"taskset": taskset, **kwargs}))
    for key, value in objects.items():
        if key == "reward":
            env.rubric = as_rubric(value)
        else:
            setattr(env, key, value)
    return env


__all__ = [
    "ENV_ID",
    "ContactCenterData",
    "ContactCenterEnvConfig",
    "ContactCenterHarness",
    "ContactCenterHarnessConfig",
    "ContactCenterState",
    "ContactCenterTask",
    "ContactCenterTaskset",
    "ContactCenterTasksetConfig",
    "ContactCenterVerifiersEnv",
    "load_environment",
]
