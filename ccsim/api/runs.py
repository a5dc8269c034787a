"""Simulate: one planner plays scenarios through the canonical runner, optionally into a run folder.

`asimulate` is the one implementation; `simulate` runs it to completion for callers without an event
loop. With `out`, every episode is appended and flushed as it finishes (and its ART trajectory beside
it), so a killed run loses nothing and `resume=True` picks up where it stopped. The episodes may be played
in worker processes or on Ray (ccsim/api/pools.py); this process still writes the folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import warnings
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ccsim.agents.preflight import apreflight
from ccsim.agents.registry import CUSTOMERS, HELPERS, PLANNERS, PlannerModel
from ccsim.agents.runner import RunAbortedError, RunSettings, run_episode, run_episodes
from ccsim.api.pools import PoolSettings, job_pool
from ccsim.api.progress import EpisodeFinished, Progress, RunFinished, RunStarted
from ccsim.contact_center.config import EpisodeConfig, ModelSpec, parse_model_spec
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.html_report import PlannerRun, write_report_html
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.report import run_report_markdown
from ccsim.contact_center.reward import RewardSpec, as_rubric
from ccsim.contact_center.run_folder import EPISODES, EpisodeFile, EpisodeLines, RunFolder
from ccsim.contact_center.summary import RunSummary, SummaryBuilder, missing_logprobs, summarize
from ccsim.scenarios.io import ScenarioFile

T = TypeVar("T")
P = ParamSpec("P")

# A player is a spec string ("rules", "openai:gpt-4.1-mini@http://...", "py:pkg.mod:factory"), a ModelSpec,
# or, for the planner only, an already-built chat model (e.g. a policy under training).
PlayerSpec = str | ModelSpec
PlannerLike = str | ModelSpec | PlannerModel


# A run folder with more episodes than this is read from episodes.jsonl on each pass over `Run.episodes`
# (and the reports') instead of being held in memory (memory stays flat however long the run). A run up to
# this long keeps the episodes it plays, so its reports need not read them back.
HOLD_EPISODES = 4096


class Run(BaseModel):
    """One planner's episodes on a set of scenarios, their summary, and the run folder when there is one."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    planner: str = Field(description="The planner's label, e.g. 'rules' or 'openai:gpt-4.1-mini'.")
    summary: RunSummary
    folder: Path | None = Field(default=None, description="The run folder, when `out` was given.")
    aborted: str | None = Field(default=None, description="Why the run stopped early, if it did.")
    _episodes: Sequence[Episode] = PrivateAttr(default_factory=list)

    def __init__(self, *, episodes: Sequence[Episode] = (), **fields: Any) -> None:
        super().__init__(**fields)
        self._episodes = episodes

    @property
    def episodes(self) -> Sequence[Episode]:
        """Every finished episode (with a folder: resumed ones too). A small run's are a list in memory; a
        long run's are read from the folder's episodes.jsonl each time they are iterated."""
        if isinstance(self._episodes, EpisodeFile) and self.summary.episodes <= HOLD_EPISODES:
            self._episodes = list(self._episodes)
        return self._episodes

    @property
    def failed(self) -> bool:
        """The run stopped early, or not one episode finished without an error."""
        failures = sum(self.summary.status_counts.get(status, 0) for status in ("error", "timeout"))
        return self.aborted is not None or failures == self.summary.episodes


class _Collected:
    """A folder run's episodes for its summary and reports, gathered as they are written: the summary as it
    goes (nothing is read back for it), and the episodes themselves when the run is short enough to hold
    them; a longer run's are read back from the folder when they are needed, one at a time."""

    def __init__(self, scenario_ids: Sequence[str], *, hold: bool, logprobs: bool) -> None:
        self.position = {scenario_id: place for place, scenario_id in enumerate(scenario_ids)}
        self.summary = SummaryBuilder(logprobs=logprobs)
        self.held: list[Episode] | None = [] if hold else None

    def add(self, episode: Episode) -> None:
        if episode.scenario_id not in self.position:
            return  # a resumed folder's episode of a scenario this run does not have: not this run's
        self.summary.add(episode)
        if self.held is not None:
            self.held.append(episode)

    def episodes(self, folder: Path) -> Sequence[Episode]:
        """In the folder's order once `RunFolder.sort` has run: scenario order, trials in order."""
        if self.held is None:
            return EpisodeFile(folder / EPISODES, set(self.position), length=self.summary.episodes)
        return sorted(self.held, key=lambda episode: (self.position[episode.scenario_id], episode.trial))


def as_spec(player: PlayerSpec) -> ModelSpec:
    return player if isinstance(player, ModelSpec) else parse_model_spec(player)


def planner_settings(
    planner: PlannerLike,
    *,
    customer: PlayerSpec = "scripted",
    helper: PlayerSpec = "scripted",
    concurrency: int = 8,
    trials: int = 1,
    max_turns: int = 8,
    timeout_s: float = 120.0,
    reward: RewardSpec = None,
) -> tuple[RunSettings, PlannerModel | None]:
    """The runner's settings for a planner, and the planner object itself when one was passed in."""
    model: PlannerModel | None = None
    if isinstance(planner, str | ModelSpec):
        spec = as_spec(planner)
    else:
        model = planner
        spec = ModelSpec(kind="object", path=type(planner).__name__)
    customer_spec, helper_spec = as_spec(customer), as_spec(helper)
    # Fail before the first episode, with one line, for a kind nobody registered or a py: factory that
    # cannot be imported, instead of recording the same error for every episode.
    if model is None:
        PLANNERS.builder(spec)
    CUSTOMERS.builder(customer_spec)
    HELPERS.builder(helper_spec)
    fields: dict[str, Any] = {
        "planner": spec,
        "customer": customer_spec,
        "helper": helper_spec,
        "episode": EpisodeConfig(max_turns=max_turns, timeout_s=timeout_s),
        "concurrency": concurrency,
        "trials": trials,
    }
    if reward is not None:
        fields["reward"] = as_rubric(reward)  # a bad 'module:function' fails here, in one line
    return RunSettings.model_validate(fields), model


def player_specs(settings: RunSettings, *, planner_object: bool = False) -> list[tuple[str, ModelSpec]]:
    """The (role, spec) pairs a preflight checks; a planner passed as an object has no spec to check."""
    roles = [("customer", settings.customer), ("helper", settings.helper)]
    return roles if planner_object else [("planner", settings.planner), *roles]


def _trajectory_line(episode: Episode) -> str:
    # ART loads only here: a run without a folder, or without trajectories, never imports it.
    from ccsim.training.trajectory import episode_to_trajectory
    from ccsim.training.trajectory_io import dumps_trajectory

    return dumps_trajectory(episode_to_trajectory(episode))


async def asimulate(
    scenarios: Sequence[Scenario],
    *,
    planner: PlannerLike = "rules",
    customer: PlayerSpec = "scripted",
    helper: PlayerSpec = "scripted",
    concurrency: int = 8,
    trials: int = 1,
    max_turns: int = 8,
    timeout_s: float = 120.0,
    reward: RewardSpec = None,
    out: str | Path | None = None,
    resume: bool = False,
    trajectories: bool = True,
    prices: PriceTable | None = None,
    progress: Progress | None = None,
    provenance: Mapping[str, Any] | None = None,
    weave: bool | str | None = None,
    preflight: bool = True,
    retry_failed: bool = True,
    workers: int | None = None,
    ray_address: str | None = None,
) -> Run:
    """Play every scenario `trials` times with `planner` and summarise the episodes.

    With `out`, the run folder gets config.json (with `provenance`, e.g. where the scenarios came from),
    episodes.jsonl and trajectories.jsonl as episodes finish, then summary.json and report.md; `resume`
    continues a killed run there. A run whose episodes mostly fail stops early: the returned `Run` then
    has `aborted` set, and what finished is kept. `weave`: None mirrors the run into a Weave Evaluation
    when WANDB_API_KEY is set, a string names the Weave project, False never uses Weave. `preflight`
    checks every player once before the first episode (a checkpoint that loads, an endpoint that answers
    and accepts the key) and raises `PreflightError` with one line otherwise. On `resume`, episodes that
    errored or timed out are played again unless `retry_failed` is False (their old records move to
    episodes.retried.jsonl); a resume whose settings differ from the folder's raises `RunFolderError`.

    `workers`: processes that play the episodes, each with its share of `concurrency` (None: one per core,
    fewer for a short run; 1: this process only). `ray_address` plays them as Ray actors instead: a cluster's
    address, or "local" to join the Ray instance this machine runs (starting one if none). Either way the
    episodes are the same as in one process, this process writes the run folder, and the folder is left in
    scenario order. A planner object that cannot be pickled plays in this process (a warning says why).
    """
    settings, model = planner_settings(
        planner, customer=customer, helper=helper, concurrency=concurrency, trials=trials,
        max_turns=max_turns, timeout_s=timeout_s, reward=reward,
    )  # fmt: skip
    if preflight:
        await apreflight(player_specs(settings, planner_object=model is not None))
    weave_on = start_weave(weave)
    label = settings.planner.label
    notify: Progress = progress or (lambda _event: None)
    folder = None
    if out is not None:
        folder = RunFolder(
            Path(out),
            resume=resume,
            trajectory_writer=_trajectory_line if trajectories else None,
            retry_failed=resume and retry_failed,
        )
        if resume:
            folder.check_resume(settings.model_dump(mode="json"))
    previous = tuple(folder.previous) if folder else ()
    notify(RunStarted(planner=label, total=len(scenarios) * settings.trials, previous=previous))
    finished: list[Episode] = []  # only without a folder: with one, episodes are read back from the file
    warned: list[bool] = []

    def on_episode(episode: Episode, *, lines: dict[str, EpisodeLines]) -> None:
        if folder is not None:
            folder.append(episode, lines=lines.pop(episode.episode_id, None))
            collected.add(episode)
        else:
            finished.append(episode)
        if settings.planner.logprobs and not warned and missing_logprobs(episode):
            warned.append(True)
            warnings.warn(
                f"{label} returned planner turns without logprobs although they were asked for; such turns "
                "cannot be trained on (summary.json counts them as logprobs_missing)",
                UserWarning,
                stacklevel=2,
            )
        notify(EpisodeFinished(planner=label, episode=episode))

    aborted: str | None = None
    if folder is not None:
        folder.write_config({"settings": settings.model_dump(mode="json"), **(provenance or {})})
    skip = folder.finished_ids if folder else set()
    pool_settings = PoolSettings(
        workers=workers,
        ray_address=ray_address,
        episodes=max(0, len(scenarios) * settings.trials - len(skip)),
        trajectories=folder is not None and trajectories,
    )
    # A lazy scenario file knows its ids without parsing a record: read them once, not once per use.
    ids = (scenarios.ids if isinstance(scenarios, ScenarioFile) else [s.id for s in scenarios]) if folder else []
    collected = _Collected(
        ids, hold=len(skip) + pool_settings.episodes <= HOLD_EPISODES, logprobs=settings.planner.logprobs
    )
    with folder if folder is not None else contextlib.nullcontext():
        for episode in folder.previous if folder is not None else ():  # as repaired on entering the folder
            collected.add(episode)
        async with job_pool(pool_settings, settings=settings, planner_model=model, prices=prices) as pool:
            lines = pool.lines if pool is not None else {}
            try:
                played = await run_episodes(
                    scenarios,
                    settings,
                    on_episode=functools.partial(on_episode, lines=lines),
                    skip=skip,
                    planner_model=model,
                    prices=prices,
                    keep=folder is None,
                    play=pool.play if pool is not None else None,
                )
            except RunAbortedError as exc:
                aborted = str(exc) + (f" Finished episodes are saved in {folder.path}." if folder else "")
                played = sorted(finished, key=lambda e: (e.scenario_id, e.trial))
    episodes: Sequence[Episode]
    if folder is not None:
        # Completion order -> scenario order: the same files however many processes played.
        folder.sort(collected.position)
        folder.previous = []  # held by `collected` if the run is short, else read back when needed
        episodes = collected.episodes(folder.path)
        summary = collected.summary.summary(label)
    else:
        episodes = played
        summary = summarize(label, episodes, logprobs=settings.planner.logprobs)
    if isinstance(episodes, EpisodeFile) and summary.episodes <= HOLD_EPISODES:
        episodes = list(episodes)  # small enough to hold: the reports below read it once, not once each
    if folder is not None:
        folder.write_summary(summary.model_dump(mode="json"), run_report_markdown(summary, episodes))
        write_report_html(folder.path, [PlannerRun(label, summary, episodes)])
    if weave_on:
        from ccsim.contact_center.weave_eval import mirror_to_weave

        await mirror_to_weave(label, episodes)
    notify(RunFinished(planner=label, episodes=len(episodes), aborted=aborted))
    return Run(
        planner=label, episodes=episodes, summary=summary, folder=folder.path if folder else None, aborted=aborted
    )


def start_weave(weave: bool | str | None) -> bool:
    """Start Weave as asked (see `asimulate`); whether it runs."""
    from ccsim.contact_center.observability import init_weave

    if weave is False:
        return False
    return init_weave(weave if isinstance(weave, str) else ("ccsim" if weave is True else None))


def sync_twin(coroutine_function: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """The blocking twin of an API coroutine function, with the same signature, for callers without a loop."""
    name = coroutine_function.__name__.removeprefix("a")

    @functools.wraps(coroutine_function)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coroutine_function(*args, **kwargs))
        raise RuntimeError(f"ccsim.{name}() cannot run inside a running event loop; use `await ccsim.a{name}(...)`")

    run.__name__ = run.__qualname__ = name
    run.__doc__ = f"Blocking twin of `{coroutine_function.__name__}`: {coroutine_function.__doc__}"
    return run


simulate = sync_twin(asimulate)


async def aplay_episode(
    scenario: Scenario,
    *,
    planner: PlannerLike = "rules",
    customer: PlayerSpec = "scripted",
    helper: PlayerSpec = "scripted",
    trial: int = 0,
    max_turns: int = 8,
    timeout_s: float = 120.0,
    reward: RewardSpec = None,
    prices: PriceTable | None = None,
) -> Episode:
    """Play one scenario once and return its scored `Episode` (an episode's failure is recorded, not raised)."""
    settings, model = planner_settings(
        planner, customer=customer, helper=helper, max_turns=max_turns, timeout_s=timeout_s, reward=reward
    )
    return await run_episode(
        scenario,
        planner=model if model is not None else settings.planner,
        customer=settings.customer,
        helper=settings.helper,
        episode_config=settings.episode,
        trial=trial,
        reward=settings.reward,
        planner_label=settings.planner.label,
        prices=prices,
    )


play_episode = sync_twin(aplay_episode)
