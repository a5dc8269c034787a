"""`ccsim simulate`, `eval`, `demo` and `graph`: thin clients of `ccsim.simulate` and `ccsim.evaluate`."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ccsim.cli.common import SplitName, console, err_console, fail, model_spec, readable_errors

if TYPE_CHECKING:
    from ccsim.api.evaluation import Leaderboard
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
PreflightOpt = Annotated[
    bool, typer.Option(help="Check checkpoints and endpoints (reachable, key accepted) before the first episode.")
]
NoWeaveOpt = Annotated[bool, typer.Option("--no-weave", help="Never start Weave, even with WANDB_API_KEY set.")]
RetryFailedOpt = Annotated[
    bool, typer.Option(help="With --resume, replay episodes that errored or timed out (old records are kept).")
]
PlannerTimeoutOpt = Annotated[
    float | None, typer.Option(min=0.001, help="Seconds per planner request to an OpenAI-compatible endpoint (60).")
]
PlannerRetriesOpt = Annotated[
    int | None, typer.Option(min=0, help="Retries per planner request on timeouts, 429, 5xx and broken bodies (3).")
]
PlannerMaxTokensOpt = Annotated[int | None, typer.Option(min=1, help="Completion token cap per planner request.")]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Processes that play the episodes, each with its share of --concurrency "
        "(default: one per core, fewer for short runs; 1: this process only).",
    ),
]
RayOpt = Annotated[
    str | None,
    typer.Option(
        "--ray",
        metavar="ADDRESS",
        help="Play the episodes as Ray actors (needs the ccsim ray extra): a cluster's address "
        "(HOST:6379, ray://HOST:10001, auto) or 'local' (this machine's Ray, started if none).",
    ),
]
PlannerHelp = "rules, builtin:PATH, openai:MODEL[@BASE_URL], py:MODULE:FACTORY or a registered kind."


def load_or_generate(
    path: Path | None, *, generate: int, seed: int, split: str | None, limit: int | None
) -> tuple[Sequence[Scenario], dict[str, Any]]:
    """Scenarios from a file (JSONL/CSV, full or minimal records) or generated on the fly, and where from.

    A JSONL file is loaded lazily (`load_scenarios(lazy=True)`): the run holds where each record starts, not
    the scenarios, so a 10,000-scenario file costs kilobytes until its episodes are played."""
    import ccsim

    source: dict[str, Any]
    scenarios: Sequence[Scenario]
    try:
        if path is not None:
            scenarios = ccsim.load_scenarios(path, lazy=True, split=split)
            source = {"scenarios_file": str(path)}
        else:
            generated = ccsim.generate_scenarios(generate, seed=seed)
            scenarios = [s for s in generated if s.split == split] if split is not None else generated
            source = {"generated": generate, "seed": seed}
    except (ccsim.ScenarioFileError, FileNotFoundError, IsADirectoryError) as exc:
        fail(str(exc))
    if split is not None:
        source["split"] = split
    if limit is not None:
        scenarios = scenarios[:limit]  # a lazy file's slice is a view of the same file
        source["limit"] = limit
    if not scenarios:
        where = f"{path}" if path is not None else f"{generate} generated scenarios"
        fail(f"no scenarios to run in {where} (check --scenarios, --split and --limit)")
    return scenarios, source


def _run_planners(
    specs: list[ModelSpec],
    *,
    scenarios: Sequence[Scenario],
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
    preflight: bool = True,
    retry_failed: bool = True,
    no_weave: bool = False,
    workers: int | None = None,
    ray: str | None = None,
    evaluate_options: dict[str, Any] | None = None,
    boards: list[Leaderboard] | None = None,
) -> list[Run]:
    """Every planner on the same scenarios, with a progress bar each; a run that stops early says why."""
    import warnings

    import ccsim
    from ccsim.agents.registry import PlayerUnavailableError
    from ccsim.api.ray_runner import RayUnavailableError
    from ccsim.api.workers import raise_fd_limit
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
        "weave": False if no_weave else weave,
        "preflight": preflight,
        "retry_failed": retry_failed,
        "workers": workers,
        "ray_address": ray,
    }
    raise_fd_limit()  # --concurrency 1024 holds more sockets than the usual soft limit of 1,024 files
    try:
        options["reward"] = as_rubric(reward)
    except RewardSpecError as exc:
        fail(str(exc))
    try:
        # The library warns (Weave could not start, an endpoint sent no logprobs); the CLI prints each once.
        with warnings.catch_warnings(record=True) as caught, run_progress(err_console) as listener:
            warnings.simplefilter("always")
            if one_folder:
                runs = [ccsim.simulate(scenarios, planner=specs[0], out=out, progress=listener, **options)]
            else:
                board = ccsim.evaluate(
                    scenarios, specs, out=out, progress=listener, **options, **(evaluate_options or {})
                )
                runs = board.runs
                if boards is not None:  # the caller shows the comparisons and the judge's column
                    boards.append(board)
    except (RunFolderError, PlayerUnavailableError, RayUnavailableError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    for message in dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning)):
        err_console.print(f"warning: {message}", markup=False, emoji=False)
    for run in runs:
        if run.aborted:
            err_console.print(f"{run.planner} stopped early: {run.aborted}", markup=False, emoji=False, soft_wrap=True)
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
    planner_timeout: PlannerTimeoutOpt = None,
    planner_retries: PlannerRetriesOpt = None,
    planner_max_tokens: PlannerMaxTokensOpt = None,
    customer: CustomerOpt = "scripted",
    helper: HelperOpt = "scripted",
    concurrency: ConcurrencyOpt = 8,
    trials: TrialsOpt = 1,
    max_turns: MaxTurnsOpt = 8,
    timeout: TimeoutOpt = 120.0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Run folder (default runs/sim-<time>).")] = None,
    resume: Annotated[bool, typer.Option(help="Continue a killed run in --out without redoing finished ones.")] = False,
    retry_failed: RetryFailedOpt = True,
    trajectories: TrajOpt = True,
    weave: WeaveOpt = None,
    no_weave: NoWeaveOpt = False,
    preflight: PreflightOpt = True,
    prices: PricesOpt = None,
    reward: RewardOpt = None,
    workers: WorkersOpt = None,
    ray: RayOpt = None,
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
        timeout_s=planner_timeout,
        max_retries=planner_retries,
        max_tokens=planner_max_tokens,
    )
    chosen, source = load_or_generate(scenarios, generate=generate, seed=seed, split=split, limit=limit)
    folder = out or Path("runs") / new_run_id("sim")
    runs = _run_planners(
        [spec], scenarios=chosen, source=source, out=folder, one_folder=True, customer=customer, helper=helper,
        concurrency=concurrency, trials=trials, max_turns=max_turns, timeout=timeout, resume=resume,
        trajectories=trajectories, weave=weave, prices=prices, reward=reward, preflight=preflight,
        retry_failed=retry_failed, no_weave=no_weave, workers=workers, ray=ray,
    )  # fmt: skip
    console.print(leaderboard_table([runs[0].summary], title=f"Summary: {spec.label}"))
    console.print(f"run folder: {folder} (report.md, report.html, summary.json, episodes.jsonl)", markup=False)
    console.print(f"browse it: ccsim view {folder} --only-failed, or open {folder / 'report.html'}", markup=False)
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
    planner_timeout: PlannerTimeoutOpt = None,
    planner_retries: PlannerRetriesOpt = None,
    planner_max_tokens: PlannerMaxTokensOpt = None,
    customer: CustomerOpt = "scripted",
    helper: HelperOpt = "scripted",
    concurrency: ConcurrencyOpt = 8,
    trials: TrialsOpt = 1,
    max_turns: MaxTurnsOpt = 8,
    timeout: TimeoutOpt = 120.0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Eval folder (default runs/eval-<time>).")] = None,
    resume: Annotated[bool, typer.Option(help="Continue a killed eval in --out.")] = False,
    retry_failed: RetryFailedOpt = True,
    trajectories: TrajOpt = True,
    weave: WeaveOpt = None,
    no_weave: NoWeaveOpt = False,
    preflight: PreflightOpt = True,
    prices: PricesOpt = None,
    reward: RewardOpt = None,
    judge: Annotated[
        str | None,
        typer.Option(help="RULER judge (a LiteLLM model string) for a RULER score column; loads ART."),
    ] = None,
    judge_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible base URL of the judge, e.g. http://localhost:8000/v1.")
    ] = None,
    judge_api_key_env: Annotated[
        str, typer.Option(help="Environment variable holding the judge's key.")
    ] = "OPENAI_API_KEY",
    workers: WorkersOpt = None,
    ray: RayOpt = None,
) -> None:
    """Compare planners on the same scenarios and print a leaderboard (saved as markdown and JSON)."""
    from ccsim.contact_center.run_folder import new_run_id

    knobs: dict[str, Any] = {
        "timeout_s": planner_timeout,
        "max_retries": planner_retries,
        "max_tokens": planner_max_tokens,
    }
    specs = [model_spec(p, base_url=planner_base_url, api_key_env=planner_api_key_env, **knobs) for p in planner]
    labels = [s.label for s in specs]
    if len(set(labels)) != len(labels):
        fail(f"each planner must be different; got {', '.join(labels)}")
    chosen, source = load_or_generate(scenarios, generate=generate, seed=seed, split=split, limit=limit)
    folder = out or Path("runs") / new_run_id("eval")
    boards: list[Leaderboard] = []
    runs = _run_planners(
        specs, scenarios=chosen, source=source, out=folder, one_folder=False, customer=customer, helper=helper,
        concurrency=concurrency, trials=trials, max_turns=max_turns, timeout=timeout, resume=resume,
        trajectories=trajectories, weave=weave, prices=prices, reward=reward, preflight=preflight,
        retry_failed=retry_failed, no_weave=no_weave, boards=boards, workers=workers, ray=ray,
        evaluate_options={"judge": judge, "judge_base_url": judge_base_url, "judge_api_key_env": judge_api_key_env},
    )  # fmt: skip
    _show_leaderboard(runs, folder, boards[0] if boards else None)
    _exit_if_failed(runs)


def _show_leaderboard(runs: list[Run], folder: Path, board: Leaderboard | None = None) -> None:
    from ccsim.cli.render import comparison_table, judge_failures, leaderboard_table

    console.print(leaderboard_table([run.summary for run in runs], judge=board.judge if board else None))
    if board is not None and board.comparisons:
        console.print(comparison_table(board.comparisons))
    if board is not None and board.judge:
        for line in judge_failures(board.judge):
            err_console.print(line, markup=False, emoji=False)
    console.print(
        f"leaderboard: {folder / 'leaderboard.md'} (+ .json, report.html); per-planner run folders in {folder}",
        markup=False,
    )


@readable_errors(OSError)
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where the demo writes its files.")] = Path("runs/demo"),
    count: Annotated[int, typer.Option("-n", min=8, help="Scenarios to generate.")] = 400,
    seed: SeedOpt = 7,
    no_weave: NoWeaveOpt = False,
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
        trajectories=True, weave=None, prices=None, no_weave=no_weave,
    )  # fmt: skip
    _show_leaderboard(runs, out / "eval")
    report = out / "eval" / "rules" / "report.md"
    console.print(f"[bold]3/3[/] report: [bold]{report}[/]")
    console.print(Markdown(run_report_markdown(runs[0].summary).split("## Per route")[0]))
    _exit_if_failed(runs)


def graph(
    png: Annotated[
        Path | None, typer.Option("--png", help="Write a PNG here instead (needs Graphviz's dot or pygraphviz).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --png file.")] = False,
) -> None:
    """Print the contact-center LangGraph as Mermaid text, or render it to a PNG offline."""
    if png is None:
        from ccsim.agents.graph import graph_mermaid

        typer.echo(graph_mermaid())
        return
    from ccsim.agents.graph import contact_center_graph
    from ccsim.cli.graph_render import NoRendererError, render_png
    from ccsim.contact_center.files import write_bytes_atomic

    if png.exists() and not force:
        fail(f"{png} already exists; pass --force to overwrite it")
    try:
        data, renderer = render_png(contact_center_graph().get_graph())
    except NoRendererError as exc:
        fail(str(exc))
    write_bytes_atomic(png, data)
    console.print(f"wrote {png} ({len(data):,} bytes, rendered with {renderer})", markup=False)
