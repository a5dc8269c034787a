"""`ccsim score`: re-score a stored run with another reward, without replaying a single episode."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ccsim.cli.common import console, fail


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def score(
    run: Annotated[
        Path, typer.Argument(metavar="RUN", help="A run folder (the one holding episodes.jsonl).", show_default=False)
    ],
    reward: Annotated[
        str | None,
        typer.Option(
            "--reward",
            "-r",
            help="module:function naming a reward function (episode -> float), a Rubric, RewardConfig weights, "
            "or a no-argument function returning a Rubric. Default: the shared default reward.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the re-scored run (default RUN/rescored-<reward name>)."),
    ] = None,
) -> None:
    """Re-score a stored run's episodes with a reward, writing a new run folder; nothing is replayed."""
    # Imported here so that `ccsim --help` does not load pydantic models, the run folder or ART.
    from ccsim.api.rescore import RescoreError, rescore_run
    from ccsim.contact_center.reward import RewardFunctionError, RewardSpecError

    try:
        result = rescore_run(run, reward, out=out)
    except (RescoreError, RewardSpecError, RewardFunctionError) as exc:
        fail(str(exc))
    name = result.reward.get("name", "reward")
    console.print(
        f"re-scored {result.episodes} episodes of {escape(str(result.source))} with {escape(repr(name))} "
        "(nothing replayed)",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"mean reward {_number(result.old_mean_reward)} -> {_number(result.new_mean_reward)} "
        f"({result.changed} of {result.episodes} episodes changed)",
        highlight=False,
        soft_wrap=True,
    )
    if len(result.term_means) > 1:
        terms = ", ".join(f"{escape(term)} {value:+.4f}" for term, value in result.term_means.items())
        console.print(f"mean per term: {terms}", highlight=False, soft_wrap=True)
    if result.unreadable_lines:
        skipped = f"skipped {result.unreadable_lines} unreadable lines of episodes.jsonl"
        console.print(skipped, highlight=False, soft_wrap=True)
    console.print(f"wrote {escape(str(result.out))}", highlight=False, soft_wrap=True)
