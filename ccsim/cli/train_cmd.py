"""`ccsim train`: the built-in planner by GRPO on the CPU (default), or an LLM planner with OpenPipe ART."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ccsim.cli.common import console, err_console, fail, model_spec

Policy = Literal["builtin", "art"]


def _given(**values: object) -> dict[str, object]:
    """Only the options the user set, so each config keeps its own defaults for the rest."""
    return {k: v for k, v in values.items() if v is not None}


def _train_builtin(
    *,
    knobs: dict[str, object],
    scenarios: list[Path],
    generate: int | None,
    seed: int,
    warm_start: str | None,
    out: Path,
    concurrency: int,
    customer: str,
    helper: str,
    workers: int | None,
    ray: str | None,
) -> None:
    import ccsim
    from ccsim.agents.runner import RunAbortedError
    from ccsim.api.ray_runner import RayUnavailableError
    from ccsim.training.builtin_train import BuiltinTrainConfig, TrainProgress

    fields: dict[str, object] = {
        "scenario_files": scenarios,
        "seed": seed,
        "output_dir": out,
        "concurrency": concurrency,
        "customer": model_spec(customer),
        "helper": model_spec(helper),
    }
    fields.update(knobs | _given(warm_start=warm_start, generated_count=generate))
    config = BuiltinTrainConfig.model_validate(fields)
    columns = (
        TextColumn("[bold]GRPO"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    # auto_refresh=False: no refresh thread while --workers forks its processes; the bar moves once per step.
    with Progress(*columns, console=err_console, auto_refresh=False) as progress:
        task = progress.add_task("starting", total=config.steps)

        def on_step(p: TrainProgress) -> None:
            val = "" if p.val_route_accuracy is None else f"  val acc {p.val_route_accuracy:.3f}"
            progress.update(
                task,
                completed=p.step,
                description=f"reward {p.train_reward:+.3f}{val}  {p.episodes} episodes",
                refresh=True,
            )

        try:
            report = ccsim.train_builtin(config, progress=on_step, workers=workers, ray_address=ray)
        except (RunAbortedError, RayUnavailableError, ccsim.ScenarioFileError, FileNotFoundError) as exc:
            fail(str(exc))
    lines = [
        f"untrained val route accuracy {report.initial_val.route_accuracy:.3f}",
        *(
            [f"after warm start ({config.warm_start}) {report.warm_start_val.route_accuracy:.3f}"]
            if report.warm_start_val
            else []
        ),
        f"best val route accuracy {report.best_val.route_accuracy:.3f} at step {report.best_step}",
        *([f"test route accuracy {report.test.route_accuracy:.3f}"] if report.test else []),
        *(
            [f"check set ({report.check_set.scenarios} real-style utterances) {report.check_set.route_accuracy:.3f}"]
            if report.check_set
            else []
        ),
        f"{report.episodes} training episodes in {report.train_seconds:.1f}s ({report.episodes_per_second:.1f}/s)",
        f"best checkpoint: {report.best_checkpoint}  (use --planner builtin:{report.best_checkpoint})",
        f"learning curve: {out / 'learning_curve.png'} and .csv",
    ]
    for line in lines:
        console.print(line)


def _train_art(
    *,
    backend: Literal["local", "serverless", "custom"],
    backend_factory: str | None,
    base_model: str,
    model_name: str,
    project: str,
    knobs: dict[str, object],
    train_scenarios: Path | None,
    val_scenarios: Path | None,
    ruler_judge: str | None,
    ruler_base_url: str | None,
    ruler_weight: float,
    customer: str,
    helper: str,
    seed: int,
    out: Path,
) -> None:
    import ccsim
    from ccsim.contact_center.config import EpisodeConfig
    from ccsim.training.art_train import ArtTrainConfig, PrerequisiteError
    from ccsim.training.rewards import RewardBlend

    if train_scenarios is None:
        fail("--backend needs --train-scenarios FILE (make one with `ccsim scenarios generate --split train`)")
    blend: dict[str, object] = {"ruler_weight": ruler_weight if ruler_judge else 0.0}
    if ruler_judge:
        blend.update(judge_model=ruler_judge, judge_base_url=ruler_base_url)
    fields: dict[str, object] = {
        "backend": backend,
        "backend_factory": backend_factory,
        "base_model": base_model,
        "model_name": model_name,
        "project": project,
        "train_scenarios": train_scenarios,
        "val_scenarios": val_scenarios,
        "reward": RewardBlend.model_validate(blend),
        "customer": model_spec(customer),
        "helper": model_spec(helper),
        "episode": EpisodeConfig(),
        "seed": seed,
        "output_dir": out,
    }
    fields.update(knobs)
    config = ArtTrainConfig.model_validate(fields)
    try:
        report = ccsim.train_art(config)
    except PrerequisiteError as exc:
        fail(str(exc))
    console.print(
        f"trained {report.model_name} from step {report.start_step} to {report.final_step}; "
        f"best val step {report.best_step} (reward {report.best_val_reward}); report {report.report_path}"
    )


def train(
    policy: Annotated[
        Policy, typer.Option(help="builtin: the CPU planner trained by GRPO here. art: an LLM planner with ART.")
    ] = "builtin",
    backend: Annotated[
        str | None,
        typer.Option(help="ART backend: local (CUDA GPU), serverless (W&B) or custom. Implies --policy art."),
    ] = None,
    backend_factory: Annotated[
        str | None, typer.Option(help="With --backend custom: MODULE:CALLABLE returning an ART backend object.")
    ] = None,
    steps: Annotated[int | None, typer.Option(min=1, help="Training steps (default: 40 builtin, 20 ART).")] = None,
    groups_per_step: Annotated[
        int | None, typer.Option(min=1, help="Scenarios (GRPO groups) per step (default: 8 builtin, 4 ART).")
    ] = None,
    rollouts_per_group: Annotated[
        int | None, typer.Option(min=2, help="Rollouts per scenario (default: 8 builtin, 4 ART).")
    ] = None,
    learning_rate: Annotated[float | None, typer.Option(help="Learning rate (default depends on the policy).")] = None,
    scenarios: Annotated[
        list[Path] | None, typer.Option("--scenarios", "-s", help="Builtin: scenario files (splits inside them).")
    ] = None,
    generate: Annotated[
        int | None, typer.Option(min=10, help="Builtin: scenarios to generate when no file is given (default 4000).")
    ] = None,
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            help="Builtin: files of labelled customer utterances (minimal records, as in scenarios/check_sets/) "
            "added to the training split (default: the repository's studied check sets).",
        ),
    ] = None,
    no_corpus: Annotated[
        bool, typer.Option("--no-corpus", help="Builtin: train on the scenarios alone, no corpus of utterances.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of generation, batching and sampling.")] = 0,
    val_every: Annotated[
        int | None, typer.Option(min=1, help="Validate every K steps (default: 10 builtin, 5 ART).")
    ] = None,
    warm_start: Annotated[
        str | None,
        typer.Option(
            help=(
                "Builtin: imitation before RL: none, labels, rules or rules_or_labels (default: the rules' moves "
                "where they route right, the labels where they don't); reported separately."
            )
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder.")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Builtin: episodes in flight.")] = 32,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Builtin: processes (or Ray actors) that play the episodes, each with its share of --concurrency "
            "(default 1: this process, faster on 2 busy cores; the updates stay in this process).",
        ),
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            help="Builtin: play the episodes as Ray actors: 'local' or a cluster's address (its nodes must see "
            "--out, where each phase's weights are shared).",
        ),
    ] = None,
    base_model: Annotated[str, typer.Option(help="ART: base model to post-train.")] = "Qwen/Qwen2.5-7B-Instruct",
    model_name: Annotated[str, typer.Option(help="ART: name of the trained model.")] = "ccsim-planner",
    project: Annotated[str, typer.Option(help="ART / W&B project.")] = "ccsim",
    train_scenarios: Annotated[Path | None, typer.Option(help="ART: training scenarios JSONL.")] = None,
    val_scenarios: Annotated[Path | None, typer.Option(help="ART: validation scenarios JSONL.")] = None,
    ruler_judge: Annotated[
        str | None, typer.Option(help="ART: RULER judge as a litellm model string, e.g. openai/o4-mini.")
    ] = None,
    ruler_base_url: Annotated[str | None, typer.Option(help="ART: base URL of the judge endpoint.")] = None,
    ruler_weight: Annotated[float, typer.Option(min=0, max=1, help="ART: weight of RULER in the reward.")] = 0.5,
    customer: Annotated[str, typer.Option(help="Customer simulator spec (both policies).")] = "scripted",
    helper: Annotated[str, typer.Option(help="Helper agents spec (both policies).")] = "scripted",
) -> None:
    """Train the planner: the built-in policy on this CPU (default) or an LLM with OpenPipe ART (GRPO)."""
    knobs = _given(
        steps=steps,
        groups_per_step=groups_per_step,
        rollouts_per_group=rollouts_per_group,
        learning_rate=learning_rate,
        val_every=val_every,
    )
    if backend is not None or policy == "art":
        if backend not in ("local", "serverless", "custom"):
            fail(
                "--policy art needs --backend local (a CUDA GPU), serverless (W&B, WANDB_API_KEY) "
                "or custom (--backend-factory MODULE:CALLABLE)"
            )
        _train_art(
            backend=backend,  # type: ignore[arg-type]
            backend_factory=backend_factory,
            base_model=base_model,
            model_name=model_name,
            project=project,
            knobs=knobs,
            train_scenarios=train_scenarios,
            val_scenarios=val_scenarios,
            ruler_judge=ruler_judge,
            ruler_base_url=ruler_base_url,
            ruler_weight=ruler_weight,
            customer=customer,
            helper=helper,
            seed=seed,
            out=out or Path("runs/art"),
        )
        return
    if no_corpus and corpus:
        fail("--corpus and --no-corpus contradict each other: give one")
    _train_builtin(
        knobs=knobs | ({"corpus_files": []} if no_corpus else _given(corpus_files=corpus)),
        scenarios=scenarios or [],
        generate=generate,
        seed=seed,
        warm_start=warm_start,
        out=out or Path("runs/builtin"),
        concurrency=concurrency,
        customer=customer,
        helper=helper,
        workers=workers,
        ray=ray,
    )
