"""`ccsim scenarios ...`: generate, import, stats, show."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ccsim.cli.common import SplitName, console, err_console, fail, parse_mix, readable_errors

if TYPE_CHECKING:
    from rich.table import Table

    from ccsim.contact_center.models import Scenario
    from ccsim.scenarios.generator import GenerationConfig

app = typer.Typer(help="Generate, import, inspect and validate scenario files.", no_args_is_help=True)


def refuse_overwrite(out: Path, force: bool) -> None:
    """Stop before any work when the output file exists, unless --force."""
    if out.is_dir():
        fail(f"{out} is a folder; give a file name for -o")
    if out.exists() and not force:
        fail(f"{out} already exists; pass --force to overwrite it, or choose another -o")


def _file_errors() -> tuple[type[BaseException], ...]:
    from ccsim.scenarios.io import ScenarioFileError

    return (ScenarioFileError, FileNotFoundError, IsADirectoryError)


@app.command()
def generate(
    count: Annotated[int, typer.Option("-n", "--count", min=1, help="How many scenarios.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed: the same seed and version give the same bytes.")] = 7,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output file: .jsonl, or .csv.")] = Path(
        "data/scenarios.jsonl"
    ),
    route_mix: Annotated[
        str | None, typer.Option(help="Route weights, e.g. 'fraud=2,disputes=1' (default: balanced).")
    ] = None,
    difficulty_mix: Annotated[
        str | None, typer.Option(help="Difficulty weights, e.g. 'easy=1,medium=1,hard=1,adversarial=1'.")
    ] = None,
    split: Annotated[
        SplitName | None, typer.Option(help="Put every scenario in this split (default: 80/10/10 train/val/test).")
    ] = None,
    paraphrase_model: Annotated[
        str | None,
        typer.Option(help="Rewrite openings in each persona's voice with this OpenAI-compatible model."),
    ] = None,
    paraphrase_base_url: Annotated[str | None, typer.Option(help="Base URL of the paraphrase endpoint.")] = None,
    paraphrase_cache: Annotated[
        Path, typer.Option(help="Cache of rewrites, so reruns are reproducible and offline.")
    ] = Path("data/paraphrase_cache.json"),
    concurrency: Annotated[int, typer.Option(min=1, help="Paraphrase requests in flight.")] = 8,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes that generate (default: every core from 1,000 scenarios on); same bytes for any number.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists.")] = False,
) -> None:
    """Generate scenarios offline from the intent catalog with faker (deterministic by seed)."""
    from ccsim.contact_center.models import Difficulty
    from ccsim.contact_center.taxonomy import Route
    from ccsim.scenarios.generator import GenerationConfig

    refuse_overwrite(out, force)
    if out.suffix.lower() not in (".jsonl", ".csv"):
        fail(f"{out}: unsupported file type {out.suffix!r}; use .jsonl or .csv")
    mixes = {
        "route_mix": parse_mix(route_mix, Route, "--route-mix"),
        "difficulty_mix": parse_mix(difficulty_mix, Difficulty, "--difficulty-mix"),
    }
    config = GenerationConfig(count=count, seed=seed, split=split, **{k: v for k, v in mixes.items() if v})
    if paraphrase_model:
        _generate_and_paraphrase(
            config, out, model=paraphrase_model, base_url=paraphrase_base_url, cache=paraphrase_cache,
            concurrency=concurrency,
        )  # fmt: skip
        return
    _generate_streamed(config, out, workers)


# From this many scenarios on, generation draws a progress bar (below, it takes a few seconds).
PROGRESS_FROM = 2_000


def _generate_streamed(config: GenerationConfig, out: Path, workers: int | None) -> None:
    """Generate straight into the file, shard by shard: nothing holds the scenarios, whatever the count."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ccsim.scenarios.io import ScenarioFileError
    from ccsim.scenarios.sharding import GenerationError, write_generated

    columns = (TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # auto_refresh=False: no refresh thread, so the workers can be forked (see scenarios/sharding.py).
    with Progress(*columns, console=err_console, auto_refresh=False, disable=config.count < PROGRESS_FROM) as bar:
        task = bar.add_task("generate", total=config.count)

        def advance(done: int, _total: int) -> None:
            bar.update(task, completed=done)
            bar.refresh()

        report = readable_errors(ScenarioFileError, GenerationError)(write_generated)(
            out, config, workers=workers, on_progress=advance
        )
    sample = "" if report.openings_checked == report.count else f" (first {report.openings_checked:,})"
    console.print(
        f"wrote {report.count} scenarios to [bold]{out}[/] in {report.seconds:.2f}s "
        f"({report.count / max(report.seconds, 1e-9):,.0f}/s, {report.workers} "
        f"{'process' if report.workers == 1 else 'processes'}); "
        f"distinct openings {report.distinct_opening_ratio:.3f}{sample}"
    )


def _generate_and_paraphrase(
    config: GenerationConfig, out: Path, *, model: str, base_url: str | None, cache: Path, concurrency: int
) -> None:
    """Generate, rewrite the openings with a model, then write: the rewrite needs every scenario at hand."""
    import asyncio

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ccsim.scenarios.generator import generate_scenarios
    from ccsim.scenarios.io import write_scenarios
    from ccsim.scenarios.paraphrase import ParaphraseConfig, Paraphraser, paraphrase_scenarios
    from ccsim.scenarios.stats import scenario_stats

    started = time.perf_counter()
    with console.status(f"generating {config.count} scenarios"):
        scenarios = generate_scenarios(config)
    elapsed = time.perf_counter() - started
    paraphraser = Paraphraser(ParaphraseConfig(model=model, base_url=base_url, seed=config.seed, cache_path=cache))
    columns = (TextColumn("paraphrasing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console) as bar:
        task = bar.add_task("paraphrase", total=len(scenarios))
        # The cache is saved as rewrites arrive: an interrupted run keeps its work for the next one.
        scenarios, report = asyncio.run(
            paraphrase_scenarios(
                scenarios,
                paraphraser,
                concurrency=concurrency,
                on_progress=lambda done, _total: bar.update(task, completed=done),
            )
        )
    err_console.print(
        f"paraphrased {report.rewritten}/{report.total} ({report.from_cache} from cache); "
        f"rejected {report.rejected} that changed the route, {report.failed} failed (originals kept)"
    )
    write_scenarios(out, scenarios)
    stats = scenario_stats(scenarios)
    console.print(
        f"wrote {len(scenarios)} scenarios to [bold]{out}[/] in {elapsed:.2f}s "
        f"({len(scenarios) / max(elapsed, 1e-9):,.0f}/s); distinct openings {stats.distinct_opening_ratio:.3f}"
    )


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="JSONL or CSV: full scenarios or minimal records.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output JSONL of complete scenarios.")] = Path(
        "data/imported.jsonl"
    ),
    skip_invalid: Annotated[bool, typer.Option(help="Keep the good records and report the rest.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists.")] = False,
) -> None:
    """Import your own scenarios. Minimal records (id, opening_message, expected_route, needs_human,
    optional source) are completed from the generator deterministically."""

    refuse_overwrite(out, force)

    @readable_errors(*_file_errors())
    def run() -> None:
        from ccsim.scenarios.importer import import_scenarios
        from ccsim.scenarios.io import write_scenarios

        result = import_scenarios(path, skip_invalid=skip_invalid)
        for line, problem in result.problems:
            err_console.print(f"[yellow]skipped[/] {path}:{line}: {problem}")
        if not result.scenarios:
            fail(f"{path}: no valid records")
        write_scenarios(out, result.scenarios)
        console.print(f"imported {len(result.scenarios)} scenarios to [bold]{out}[/] ({len(result.problems)} skipped)")

    run()


def _count_table(title: str, counts: dict[str, int]) -> Table:
    from rich.table import Table

    table = Table(title=title)
    table.add_column(title.split(" ")[-1])
    table.add_column("count", justify="right")
    table.add_column("share", justify="right")
    total = sum(counts.values()) or 1
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(str(key), str(n), f"{n / total:.1%}")
    return table


@app.command()
def stats(
    path: Annotated[Path, typer.Argument(help="Scenario file.")] = Path("data/scenarios.jsonl"),
) -> None:
    """Counts by route, intent, difficulty and split, and opening-message variety."""

    @readable_errors(*_file_errors())
    def run() -> None:
        from ccsim.scenarios.importer import import_scenarios
        from ccsim.scenarios.stats import scenario_stats

        s = scenario_stats(import_scenarios(path).scenarios)
        for title, counts in (
            ("by route", s.by_route),
            ("by difficulty", s.by_difficulty),
            ("by split", s.by_split),
            ("by intent", s.by_intent),
        ):
            console.print(_count_table(title, {str(k): v for k, v in counts.items()}))
        console.print(
            f"{s.total} scenarios; distinct openings {s.distinct_opening_ratio:.3f}; "
            f"largest template share {s.max_template_share:.3%}"
        )

    run()


@app.command()
def show(
    scenario_id: Annotated[str, typer.Argument(help="Scenario id.")],
    path: Annotated[Path, typer.Option("--file", "-f", help="Scenario file.")] = Path("data/scenarios.jsonl"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the full record as JSON.")] = False,
) -> None:
    """Show one scenario: intent, route, difficulty, opening and hidden facts first (--json: the full record)."""

    @readable_errors(*_file_errors())
    def run() -> None:
        import ccsim
        from ccsim.scenarios.io import ScenarioFile

        # lazy: the whole file is checked, but only the scenario asked for is parsed and held.
        scenarios = ccsim.load_scenarios(path, lazy=True)
        ids = list(scenarios.ids) if isinstance(scenarios, ScenarioFile) else [s.id for s in scenarios]
        if scenario_id not in ids:
            fail(f"{path}: no scenario with id {scenario_id!r}")
        scenario = scenarios[ids.index(scenario_id)]
        if as_json:
            typer.echo(scenario.model_dump_json(indent=2))  # plain JSON: safe to pipe into jq
        else:
            console.print(scenario_summary(scenario))

    run()


def scenario_summary(scenario: Scenario) -> Table:
    """The fields a person reads first, as a two-column table (the whole record is `--json`)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"scenario {scenario.id}", show_header=False, title_justify="left")
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    human = "a human department" if scenario.needs_human else "a helper agent"
    ask = ", must ask a clarifying question" if scenario.clarification_needed else ""
    facts = scenario.facts.model_dump(mode="json", exclude_defaults=True)
    profile = scenario.customer.profile
    rows = [
        ("intent", scenario.intent),
        ("expected route", f"{scenario.expected_route.value} ({human}{ask})"),
        ("difficulty", scenario.difficulty.value),
        ("opening", scenario.opening_message),
        *((f"fact: {name}", _fact(value)) for name, value in facts.items()),
        ("handoff must name", ", ".join(scenario.handoff_facts) or "-"),
        ("required state", ", ".join(f"{r.target}={r.value}" for r in scenario.required_state) or "-"),
        ("customer", f"{profile.first_name} {profile.last_name}; persona {profile.persona.tone}, "
                     f"{profile.persona.verbosity}, patience {profile.persona.patience}, {profile.persona.typing}"),
        ("split / source / seed", f"{scenario.split.value} / {scenario.source} / {scenario.seed}"),
        ("tags", ", ".join(scenario.tags) or "-"),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, Text(str(value)))
    return table


def _fact(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
    return str(value)
