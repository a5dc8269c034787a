"""The root `ccsim` command."""

from __future__ import annotations

import typer

import ccsim.contact_center.observability  # noqa: F401  (settles Weave/LangSmith env before anything imports them)
from ccsim.cli import run_cmd, scenarios_cmd, train_cmd

app = typer.Typer(
    name="ccsim",
    help="A credit-card contact-center simulator for training and evaluating routing planners (offline by default).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(scenarios_cmd.app, name="scenarios")
app.command()(run_cmd.simulate)
app.command("eval")(run_cmd.evaluate)
app.command()(run_cmd.demo)
app.command()(run_cmd.graph)
app.command()(train_cmd.train)
