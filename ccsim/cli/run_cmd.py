"""`ccsim simulate`, `eval`, `demo` and `graph`: thin clients of `ccsim.simulate` and `ccsim.evaluate`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ccsim.cli.common import SplitName, console, err_console, fail, model_spec, readable_errors

if TYPE_CHECKING:
    from ccsim.api.runs import Run
    from ccsim.contact_center.config import ModelSpec
    from ccsim.contact_center.models import Scenario

ScenariosOpt = Annotated[
    Path | None, typer.Option("--scenarios", "-s", help="Scenario file (JSONL/CSV); default: generate on the fly.")
]
GenerateOpt = Annotated[int, typer.Option("--generate", min=1, help="Scenarios to generate when no file is given.")]
SeedOpt = Annotated[int, typer.Option(help="Generation seed.")]
SplitOpt = Annotated[SplitName | None, typer.Option(help="Only scenarios of this split.")]
LimitOpt = Annotated[int | None, typer.Option(min=1, help="Only the first N scenarios.")]
CustomerOpt = Annotated[str, typer.Option(help="Customer simulator: scripted, openai:MODEL[@BASE_URL] or py:MOD:FN.")]
HelperOpt = Annotated[str, typer.Option(help="Helper agents: scripted, openai:MODEL[@BASE_URL] or py:MOD:FN.")]
ConcurrencyOpt = Annotated[int, typer.Option(min=1, help="Episodes in flight at once.")]
TrialsOpt = Annotated[int, typer.Option(min=1, help="Episodes per scenario (pass^k).")]
MaxTurnsOpt = Annotated[int, typer.Option(min=1, help="Planner turns before an episode fails.")]
TimeoutOpt = Annotated[float, typer.Option(help="Seconds before an episode is recorded as timed out.")]
WeaveOpt = Annotated[str | None, typer.Option(help="Weave project; Weave is used only with this or WANDB_API_KEY set.")]
PricesOpt = Annotated[Path | None, typer.Option(help="JSON price table overriding the defaults (USD per 1M tokens).")]
RewardOpt = Annotated[
    str | None,
    typer.Option(
        help="Reward as module:function (episode -> float, a Rubric or RewardConfig); default: the shared one."
    ),
]
TrajOpt = Annotated[bool, typer.Option(help="Write trajectories.jsonl (ART trajectories) beside the episodes.")]
ApiKeyEnvOpt = Annotated[
    str | None,
    typer.Option(help="Environment variable holding the planner endpoint's key (default OPENAI_API_KEY)."),
]
PlannerHelp = "rules, builtin:PATH, openai:MODEL[@BASE_URL], py:MODULE:FACTORY or a registered kind."


def load_or_generate(
    path: Path | None, *, generate: int, seed: int, split: str | None, limit: int | None
) -> tuple[list[Scenario], dict[str, Any]]:
    """Scenarios from a file (JSONL/CSV, full or minimal records) or generated on the fly, and where from."""
    import ccsim

    try:
        if path is not None:
            scenarios = ccsim.load_scenarios(path)
            source: dict[str, Any] = {"scenarios_file": str(path)}
        else:
            scenarios = ccsim.generate_scenarios(generate, seed=seed)
            source = {"generated": generate, "seed": seed}
    except (ccsim.ScenarioFileError, FileNotFoundError, IsADirectoryError) as exc:
        fail(str(exc))
    if split is not None:
        scenarios = [s for s in scenarios if s.split == split]
        source["split"] = split
    if limit is not None:
        scenarios = scenarios[:limit]
        source["limit"] = limit
    if not scenarios:
        where = f"{path}" if path is not None else f"{generate} generated scenarios"
        fail(f"no scenarios to run in {where} (check --scenarios, --split and --limit)")
    return scenarios, source


def _run_planners(
    specs: list[ModelSpec],
    *,
    scenarios: list[Scenario],
    source: dict[str, Any],
    out: Path,
    one_folder: bool,
    customer: str,
    helper: str,
    concurrency: int,
    trials: int,
    max_turns: int,
    timeout: float,
    resume: bool,
    trajectories: bool,
    weave: str | None,
    prices: Path | None,
    reward: str | None = None,
) -> list[Run]:
    """Every planner on the same scenarios, with a progress bar each; a run that stops early says why."""
    import ccsim
    from ccsim.agents.registry import PlayerUnavailableError
    from ccsim.cli.render import run_progress
    from ccsim.contact_center.pricing import PriceTable
    from ccsim.contact_center.reward import RewardSpecError, as_rubric
    from ccsim.contact_center.run_folder import RunFolderError

    options: dict[str, Any] = {
        "customer": model_spec(customer),
        "helper": model_spec(helper),
        "concurrency": concurrency,
        "trials": trials,
        "max_turns": max_turns,
        "timeout_s": timeout,
        "resume": resume,
        "trajectories": trajectories,
        "prices": PriceTable.load(prices),
        "provenance": source,
        "weave": weave,
    }
    try:
        options["reward"] = as_rubric(reward)
    except RewardSpecError as exc:
        fail(str(exc))
    try:
        with run_progress(err_console) as listener:
            if one_folder:
                runs = [ccsim.simulate(scenarios, planner=specs[0], out=out, progress=listener, **options)]
            else:
                runs = ccsim.evaluate(scenarios, specs, out=out, progress=listener, **options).runs
    except (RunFolderError, PlayerUnavailableError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    for run in runs:
        if run.aborted:
            err_console.print(f"[bold red]{run.planner} stopped early:[/] {run.aborted}", markup=False)
    return runs


def _exit_if_failed(runs: list[Run]) -> None:
    failed = [run.planner for run in runs if run.failed]
    if failed:
        fail(f"no usable result from {', '.join(failed)}: every episode failed or the run stopped early")


def simulate(
    scenarios: ScenariosOpt = None,
    generate: GenerateOpt = 200,
    seed: SeedOpt = 7,
    split: SplitOpt = None,
    limit: LimitOpt = None,
    planner: Annotated[str, typer.Option(help=PlannerHelp)] = "rules",
    planner_model: Annotated[str | None, typer.Option(help="Model name on an OpenAI-compatible endpoint.")] = None,
    planner_base_url: Annotated[str | None, typer.Option(help="Base URL, e.g. http://localhost:8000/v1.")] = None,
    planner_temperature: Annotated[float | None, typer.Option(help="Planner sampling temperature.")] = None,
    logprobs: Annotated[bool, typer.Option(help="Request token logprobs (needed to train on the run).")] = False,
    planner_api_key_env: ApiKeyEnvOpt = None,
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
    reward: RewardOpt = None,
) -> None:
    """Simulate conversations: one planner on scenarios, saved to a run folder."""
    from ccsim.cli.render import leaderboard_table
    from ccsim.contact_center.run_folder import new_run_id

    spec = model_spec(
        planner,
        model=planner_model,
        base_url=planner_base_url,
        temperature=planner_temperature,
        logprobs=logprobs or None,
        api_key_env=planner_api_key_env,
    )
    chosen, source = load_or_generate(scenarios, generate=generate, seed=seed, split=split, limit=limit)
    folder = out or Path("runs") / new_run_id("sim")
    runs = _run_planners(
        [spec], scenarios=chosen, source=source, out=folder, one_folder=True, customer=customer, helper=helper,
        concurrency=concurrency, trials=trials, max_turns=max_turns, timeout=timeout, resume=resume,
        trajectories=trajectories, weave=weave, prices=prices, reward=reward,
    )  # fmt: skip
    console.print(leaderboard_table([runs[0].summary], title=f"Summary: {spec.label}"))
    console.print(f"run folder: {folder} (report.md, summary.json, episodes.jsonl)", markup=False)
    _exit_if_failed(runs)


def evaluate(
    planner: Annotated[list[str], typer.Option("--planner", "-p", help=f"Repeat for each planner: {PlannerHelp}")],
    scenarios: ScenariosOpt = None,
    generate: GenerateOpt = 400,
    seed: SeedOpt = 7,
    split: SplitOpt = None,
    limit: LimitOpt = None,
    planner_base_url: Annotated[
        str | None, typer.Option(help="Base URL for openai:MODEL planners without their own @URL.")
    ] = None,
    planner_api_key_env: ApiKeyEnvOpt = None,
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
    reward: RewardOpt = None,
) -> None:
    """Compare planners on the same scenarios and print a leaderboard (saved as markdown and JSON)."""
    from ccsim.contact_center.run_folder import new_run_id

    specs = [model_spec(p, base_url=planner_base_url, api_key_env=planner_api_key_env) for p in planner]
    labels = [s.label for s in specs]
    if len(set(labels)) != len(labels):
        fail(f"each planner must be different; got {', '.join(labels)}")
    chosen, source = load_or_generate(scenarios, generate=generate, seed=seed, split=split, limit=limit)
    folder = out or Path("runs") / new_run_id("eval")
    runs = _run_planners(
        specs, scenarios=chosen, source=source, out=folder, one_folder=False, customer=customer, helper=helper,
        concurrency=concurrency, trials=trials, max_turns=max_turns, timeout=timeout, resume=resume,
        trajectories=trajectories, weave=weave, prices=prices, reward=reward,
    )  # fmt: skip
    _show_leaderboard(runs, folder)
    _exit_if_failed(runs)


def _show_leaderboard(runs: list[Run], folder: Path) -> None:
    from ccsim.cli.render import leaderboard_table

    console.print(leaderboard_table([run.summary for run in runs]))
    console.print(
        f"leaderboard: {folder / 'leaderboard.md'} (+ .json); per-planner run folders in {folder}", markup=False
    )


@readable_errors(OSError)
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where the demo writes its files.")] = Path("runs/demo"),
    count: Annotated[int, typer.Option("-n", min=8, help="Scenarios to generate.")] = 400,
    seed: SeedOpt = 7,
) -> None:
    """The offline main job: generate scenarios, simulate the rules planner, evaluate, and show the report."""
    from rich.markdown import Markdown

    import ccsim
    from ccsim.contact_center.report import run_report_markdown

    scenario_file = out / "scenarios.jsonl"
    # The demo owns its folder: a rerun replaces the previous demo instead of refusing to overwrite it.
    shutil.rmtree(out / "eval", ignore_errors=True)
    console.print(f"[bold]1/3[/] generating {count} scenarios (faker + intent catalog, seed {seed})")
    ccsim.save_scenarios(scenario_file, ccsim.generate_scenarios(count, seed=seed))
    console.print(f"[bold]2/3[/] simulating the rules planner with the scripted customer and helpers -> {out}/eval")
    scenarios, source = load_or_generate(scenario_file, generate=count, seed=seed, split=None, limit=None)
    runs = _run_planners(
        [model_spec("rules")], scenarios=scenarios, source=source, out=out / "eval", one_folder=False,
        customer="scripted", helper="scripted", concurrency=16, trials=1, max_turns=8, timeout=60.0, resume=False,
        trajectories=True, weave=None, prices=None,
    )  # fmt: skip
    _show_leaderboard(runs, out / "eval")
    report = out / "eval" / "rules" / "report.md"
    console.print(f"[bold]3/3[/] report: [bold]{report}[/]")
    console.print(Markdown(run_report_markdown(runs[0].summary).split("## Per route")[0]))
    _exit_if_failed(runs)


def graph() -> None:
    """Print the contact-center LangGraph as Mermaid text."""
    from ccsim.agents.graph import graph_mermaid

    typer.echo(graph_mermaid())
