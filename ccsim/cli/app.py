"""The root `ccsim` command: a thin client of the `ccsim` library (docs/architecture.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from ccsim.cli import env_cmd, run_cmd, scenarios_cmd, score_cmd, train_cmd, view_cmd

app = typer.Typer(
    name="ccsim",
    help="A credit-card contact-center simulator for training and evaluating routing planners (offline by default).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _print_version(asked: bool) -> None:
    if asked:
        import ccsim

        typer.echo(f"ccsim {ccsim.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """A credit-card contact-center simulator for training and evaluating routing planners (offline by default)."""


app.add_typer(scenarios_cmd.app, name="scenarios")
app.command()(run_cmd.simulate)
app.command("eval")(run_cmd.evaluate)
app.command()(run_cmd.demo)
app.command()(run_cmd.graph)
app.command()(train_cmd.train)
app.command()(score_cmd.score)
app.command()(view_cmd.view)
app.command("serve-env")(env_cmd.serve_env)
