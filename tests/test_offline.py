"""Offline must hold: no DNS lookup during `ccsim demo`, with or without a W&B key (issue 11).

The autouse `no_network` fixture (conftest) records and refuses every non-loopback connection and DNS
lookup; these tests assert it recorded none.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccsim.cli.app import app
from ccsim.contact_center import observability
from tests.conftest import NetworkAttempts

runner = CliRunner()
KEY = "k" * 40


def demo(tmp_path: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["demo", "-n", "8", "-o", str(tmp_path / "demo"), *extra])
    return result.exit_code, result.output


def as_if_exported(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    """Environment variables as a user exports them before starting ccsim (not defaults ccsim set itself)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(observability, "_set_by_us", observability._set_by_us - set(env))


def test_the_offline_defaults_include_no_error_reporting() -> None:
    assert os.environ["WANDB_ERROR_REPORTING"] == "false"
    assert os.environ["WEAVE_DISABLED"] == "true"


def test_help_and_demo_without_a_key_look_nothing_up(tmp_path: Path, no_network: NetworkAttempts) -> None:
    assert runner.invoke(app, ["--help"]).exit_code == 0
    code, output = demo(tmp_path)
    assert code == 0, output
    assert no_network == []


@pytest.mark.parametrize(
    ("env", "flags"),
    [({"WEAVE_DISABLED": "true"}, ()), ({"WANDB_MODE": "offline"}, ()), ({}, ("--no-weave",))],
    ids=["WEAVE_DISABLED", "WANDB_MODE=offline", "--no-weave"],
)
def test_a_key_with_weave_switched_off_looks_nothing_up(
    tmp_path: Path, no_network: NetworkAttempts, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], flags: tuple
) -> None:
    as_if_exported(monkeypatch, WANDB_API_KEY=KEY, **env)
    code, output = demo(tmp_path, *flags)
    assert code == 0, output
    assert no_network == []
    assert "Weave" not in output


def test_a_key_without_a_network_warns_in_one_line_and_the_run_goes_on(
    tmp_path: Path, no_network: NetworkAttempts, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_if_exported(monkeypatch, WANDB_API_KEY=KEY)
    code, output = demo(tmp_path)
    assert code == 0, output
    warnings = [line for line in output.splitlines() if "Weave did not start" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning:"), output
    assert "Traceback" not in output
    assert (tmp_path / "demo" / "eval" / "rules" / "summary.json").exists()
    # The only lookups are the ones Weave needs to start, which the user asked for: no error reporting.
    assert no_network and not [a for a in no_network if "sentry" in a], no_network
