"""`ccsim simulate`, `ccsim eval` and `ccsim demo`: planners on scenarios, run folders, leaderboards."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.markdown import Markdown
from rich.markup import escape

from ccsim.agents.runner import RunAbortedError, RunSettings
from ccsim.api.runs import run_config, simulate_into
from ccsim.cli.common import console, err_console, fail, load_or_generate, model_spec, readable_errors
from ccsim.contact_center.config import EpisodeConfig, ModelSpec
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.models import Split
from ccsim.contact_center.observability import init_weave
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.report import leaderboard_markdown, leaderboard_table, run_report_markdown
from ccsim.contact_center.run_folder import RunFolder, RunFolderError, new_run_id, write_text_atomic
from ccsim.contact_center.summary import RunSummary

ScenariosOpt = Annotated[
    Path | None, typer.Option("--scenarios", "-s", help="Scenario file (JSONL/CSV); default: generate on the fly.")
]
GenerateOpt = Annotated[int, typer.Option("--generate", min=1, help="Scenarios to generate when no file is given.")]
SeedOpt = Annotated[int, typer.Option(help="Generation seed.")]
SplitOpt = Annotated[Split | None, typer.Option(help="Only scenarios of this split.")]
LimitOpt = Annotated[int | None, typer.Option(min=1, help="Only the first N scenarios.")]
CustomerOpt = Annotated[str, typer.Option(help="Customer simulator: scripted or openai:MODEL[@BASE_URL].")]
HelperOpt = Annotated[str, typer.Option(help="Helper agents: scripted or openai:MODEL[@BASE_URL].")]
ConcurrencyOpt = Annotated[int, typer.Option(min=1, help="Episodes in flight at once.")]
TrialsOpt = Annotated[int, typer.Option(min=1, help="Episodes per scenario (pass^k).")]
MaxTurnsOpt = Annotated[int, typer.Option(min=1, help="Planner turns before an episode fails.")]
TimeoutOpt = Annotated[float, typer.Option(help="Seconds before an episode is recorded as timed out.")]
WeaveOpt = Annotated[str | None, typer.Option(help="Weave project; Weave is used only with this or WANDB_API_KEY set.")]
PricesOpt = Annotated[Path | None, typer.Option(help="JSON price table overriding the defaults (USD per 1M tokens).")]
TrajOpt = Annotated[bool, typer.Option(help="Write trajectories.jsonl (ART trajectories) beside the episodes.")]


def _trajectory_line(episode: Episode) -> str:
    from ccsim.training.trajectory import episode_to_trajectory
    from ccsim.training.trajectory_io import dumps_trajectory

    return dumps_trajectory(episode_to_trajectory(episode))


def _slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_") or "planner"


class RunRequest(BaseModel):
    """What simulate, eval and demo share: which scenarios, who else plays, limits, and where results go."""

    scenarios_file: Path | None
    generate: int
    seed: int
    split: Split | None
    limit: int | None
    customer: str
    helper: str
    concurrency: int
    trials: int
    max_turns: int
    timeout: float
    resume: bool
    trajectories: bool
    weave_project: str | None
    prices: Path | None

    def settings(self, planner: ModelSpec) -> RunSettings:
        return RunSettings(
            planner=planner,
            customer=model_spec(self.customer),
            helper=model_spec(self.helper),
            episode=EpisodeConfig(max_turns=self.max_turns, timeout_s=self.timeout),
            concurrency=self.concurrency,
            trials=self.trials,
        )


@readable_errors(RunFolderError, FileNotFoundError)
def run_planners(specs: list[ModelSpec], request: RunRequest, folder_for: dict[str, Path]) -> list[RunSummary]:
    """Each planner on the same scenarios into its own run folder; a planner whose run aborts keeps a summary."""
    from ccsim.contact_center.weave_eval import mirror_to_weave
    from ccsim.scenarios.io import ScenarioFileError

    try:
        scenarios, source = load_or_generate(
            request.scenarios_file,
            generate=request.generate,
            seed=request.seed,
            split=request.split,
            limit=request.limit,
        )
    except ScenarioFileError as exc:
        fail(str(exc))
    init_weave(request.weave_project)
    prices = PriceTable.load(request.prices)
    summaries: list[RunSummary] = []
    for spec in specs:
        settings = request.settings(spec)
        path = folder_for[spec.label]
        folder = RunFolder(
            path, resume=request.resume, trajectory_writer=_trajectory_line if request.trajectories else None
        )
        folder.write_config(run_config(settings, **source))
        try:
            summary = asyncio.run(simulate_into(folder, scenarios, settings, prices=prices))
        except RunAbortedError as exc:
            err_console.print(f"[bold red]{escape(spec.label)}:[/] {escape(str(exc))}")
            summary = RunSummary.model_validate_json((path / "summary.json").read_text())
        summaries.append(summary)
        asyncio.run(mirror_to_weave(spec.label, folder.all_episodes()))
    return summaries


def simulate(
    scenarios: ScenariosOpt = None,
    generate: GenerateOpt = 200,
    seed: SeedOpt = 7,
    split: SplitOpt = None,
    limit: LimitOpt = None,
    planner: Annotated[str, typer.Option(help="rules, builtin:PATH, openai:MODEL or openai:MODEL@BASE_URL.")] = "rules",
    planner_model: Annotated[str | None, typer.Option(help="Model name on an OpenAI-compatible endpoint.")] = None,
    planner_base_url: Annotated[str | None, typer.Option(help="Base URL, e.g. http://localhost:8000/v1.")] = None,
    planner_temperature: Annotated[float | None, typer.Option(help="Planner sampling temperature.")] = None,
    logprobs: Annotated[bool, typer.Option(help="Request token logprobs (needed to train on the run).")] = False,
    planner_api_key_env: Annotated[
        str | None,
        typer.Option(help="Environment variable holding the planner endpoint's key (default OPENAI_API_KEY)."),
    ] = None,
    customer: CustomerOpt = "scripted",
    helper: HelperOpt = "scripted",
    concurrency: ConcurrencyOpt = 8,
    trials: TrialsOpt = 1,
    max_turns: MaxTurnsOpt = 8,
    timeout: TimeoutOpt = 120.0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Run folder (default runs/sim-<time>).")] = None,
    resume: Annotated[bool, typer.Option(help="Continue a killed run in --out without redoing finished ones.")] = False,
    trajectories: TrajOpt = True,
    weave: WeaveOpt = None,
    prices: PricesOpt = None,
) -> None:
    """Simulate conversations: one planner on scenarios, saved to a run folder."""
    spec = model_spec(
        planner,
        model=planner_model,
        base_url=planner_base_url,
        temperature=planner_temperature,
        logprobs=logprobs or None,
    )
    request = RunRequest(
        scenarios_file=scenarios, generate=generate, seed=seed, split=split, limit=limit, customer=customer,
        helper=helper, concurrency=concurrency, trials=trials, max_turns=max_turns, timeout=timeout, resume=resume,
        trajectories=trajectories, weave_project=weave, prices=prices,
    )  # fmt: skip
    folder = out or Path("runs") / new_run_id("sim")
    [summary] = run_planners([spec], request, {spec.label: folder})
    console.print(leaderboard_table([summary], title=f"Summary: {spec.label}"))
    console.print(f"run folder: [bold]{folder}[/] (report.md, summary.json, episodes.jsonl)")


def evaluate(
    planner: Annotated[
        list[str], typer.Option("--planner", "-p", help="Repeat for each planner (rules, builtin:PATH, openai:...).")
    ],
    scenarios: ScenariosOpt = None,
    generate: GenerateOpt = 400,
    seed: SeedOpt = 7,
    split: SplitOpt = None,
    limit: LimitOpt = None,
    planner_base_url: Annotated[
        str | None, typer.Option(help="Base URL for openai:MODEL planners without their own @URL.")
    ] = None,
    planner_api_key_env: Annotated[
        str | None,
        typer.Option(help="Environment variable holding the planner endpoint's key (default OPENAI_API_KEY)."),
    ] = None,
    customer: CustomerOpt = "scripted",
    helper: HelperOpt = "scripted",
    concurrency: ConcurrencyOpt = 8,
    trials: TrialsOpt = 1,
    max_turns: MaxTurnsOpt = 8,
    timeout: TimeoutOpt = 120.0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Eval folder (default runs/eval-<time>).")] = None,
    resume: Annotated[bool, typer.Option(help="Continue a killed eval in --out.")] = False,
    trajectories: TrajOpt = True,
    weave: WeaveOpt = None,
    prices: PricesOpt = None,
) -> None:
    """Compare planners on the same scenarios and print a leaderboard (saved as markdown and JSON)."""
    specs = [
        model_spec(p, base_url=planner_base_url, api_key_env=planner_api_key_env)
        if p.startswith("openai:")
        else model_spec(p)
        for p in planner
    ]
    request = RunRequest(
        scenarios_file=scenarios, generate=generate, seed=seed, split=split, limit=limit, customer=customer,
        helper=helper, concurrency=concurrency, trials=trials, max_turns=max_turns, timeout=timeout, resume=resume,
        trajectories=trajectories, weave_project=weave, prices=prices,
    )  # fmt: skip
    run_eval(specs, request, out or Path("runs") / new_run_id("eval"))


def run_eval(specs: list[ModelSpec], request: RunRequest, out: Path) -> list[RunSummary]:
    labels = [s.label for s in specs]
    if len(set(labels)) != len(labels):
        fail(f"each planner must be different; got {', '.join(labels)}")
    summaries = run_planners(specs, request, {label: out / _slug(label) for label in labels})
    write_text_atomic(out / "leaderboard.md", leaderboard_markdown(summaries))
    write_text_atomic(
        out / "leaderboard.json", json.dumps([s.model_dump(mode="json") for s in summaries], indent=2) + "\n"
    )
    console.print(leaderboard_table(summaries))
    console.print(f"leaderboard: [bold]{out / 'leaderboard.md'}[/] (+ .json); per-planner run folders in {out}")
    return summaries


def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where the demo writes its files.")] = Path("runs/demo"),
    count: Annotated[int, typer.Option("-n", min=8, help="Scenarios to generate.")] = 400,
    seed: SeedOpt = 7,
) -> None:
    """The offline main job: generate scenarios, simulate the rules planner, evaluate, and show the report."""
    from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
    from ccsim.scenarios.io import write_scenarios

    scenario_file = out / "scenarios.jsonl"
    # The demo owns its folder: a rerun replaces the previous demo instead of refusing to overwrite it.
    shutil.rmtree(out / "eval", ignore_errors=True)
    console.print(f"[bold]1/3[/] generating {count} scenarios (faker + intent catalog, seed {seed})")
    write_scenarios(scenario_file, generate_scenarios(GenerationConfig(count=count, seed=seed)))
    console.print(f"[bold]2/3[/] simulating the rules planner with the scripted customer and helpers -> {out}/eval")
    request = RunRequest(
        scenarios_file=scenario_file, generate=count, seed=seed, split=None, limit=None, customer="scripted",
        helper="scripted", concurrency=16, trials=1, max_turns=8, timeout=60.0, resume=False, trajectories=True,
        weave_project=None, prices=None,
    )  # fmt: skip
    summaries = run_eval([ModelSpec(kind="rules")], request, out / "eval")
    report = out / "eval" / "rules" / "report.md"
    console.print(f"[bold]3/3[/] report: [bold]{report}[/]")
    console.print(Markdown(run_report_markdown(summaries[0]).split("## Per route")[0]))


def graph() -> None:
    """Print the contact-center LangGraph as Mermaid text."""
    from ccsim.agents.graph import graph_mermaid

    typer.echo(graph_mermaid())
