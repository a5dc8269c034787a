"""Before the first episode: a run that cannot work fails in seconds with one line (issue 11)."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ccsim
from ccsim.agents.preflight import PreflightError, apreflight
from ccsim.cli.app import app
from ccsim.contact_center.config import ModelSpec, ModelSpecError, parse_model_spec
from tests.fake_openai import FakeOpenAIServer

runner = CliRunner()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("text", ["openai:foo@localhost:9", "openai:m@example.com/v1", "openai:m@10.0.0.1:8000/v1"])
def test_a_base_url_without_a_scheme_is_refused_not_read_as_a_model_name(text: str) -> None:
    with pytest.raises(ModelSpecError, match="needs a scheme"):
        parse_model_spec(text)


def test_arts_name_at_step_models_still_parse() -> None:
    spec = parse_model_spec("openai:ccsim-planner@30@http://localhost:8000/v1")
    assert (spec.model, spec.base_url) == ("ccsim-planner@30", "http://localhost:8000/v1")
    assert parse_model_spec("openai:ccsim-planner@30").model == "ccsim-planner@30"
    with pytest.raises(ModelSpecError, match="needs a scheme"):
        parse_model_spec("openai:m", base_url="localhost:8000/v1")


def test_an_endpoint_that_answers_passes() -> None:
    with FakeOpenAIServer() as server:
        asyncio.run(apreflight([("planner", parse_model_spec(f"openai:m@{server.base_url}"))]))
        assert server.requests == []  # GET /models only: no completion was spent


def test_an_unreachable_endpoint_names_its_url_within_seconds() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    started = time.monotonic()
    with pytest.raises(PreflightError, match=f"cannot reach {url}"):
        asyncio.run(apreflight([("planner", parse_model_spec(f"openai:m@{url}"))]))
    assert time.monotonic() - started < 5


def test_a_401_names_the_variable_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_KEY", raising=False)
    with FakeOpenAIServer() as server:
        server.api_key = "sk-right"
        spec = parse_model_spec(f"openai:m@{server.base_url}", api_key_env="MY_KEY")
        with pytest.raises(PreflightError, match="set MY_KEY"):
            asyncio.run(apreflight([("planner", spec)]))
        monkeypatch.setenv("MY_KEY", "sk-wrong")
        with pytest.raises(PreflightError, match="refused the key in MY_KEY"):
            asyncio.run(apreflight([("planner", spec)]))
        monkeypatch.setenv("MY_KEY", "sk-right")
        asyncio.run(apreflight([("planner", spec)]))


def test_a_missing_or_broken_checkpoint_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PreflightError, match="not a usable checkpoint"):
        asyncio.run(apreflight([("planner", ModelSpec(kind="builtin", path=str(tmp_path / "nowhere")))]))
    (tmp_path / "policy.json").write_text("{not json")
    with pytest.raises(PreflightError, match="not a usable checkpoint"):
        asyncio.run(apreflight([("planner", ModelSpec(kind="builtin", path=str(tmp_path)))]))


def test_simulate_checks_before_the_first_episode_and_can_skip_it(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(3, seed=1)
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with pytest.raises(PreflightError):
        ccsim.simulate(scenarios, planner=f"openai:m@{url}", out=tmp_path / "run")
    assert not (tmp_path / "run" / "episodes.jsonl").exists()
    with pytest.raises(PreflightError):
        ccsim.evaluate(scenarios, ["rules", f"openai:m@{url}"], out=tmp_path / "eval")
    assert not (tmp_path / "eval" / "rules").exists()  # nothing ran, not even the good planner
    skipped = ccsim.simulate(scenarios, planner=ModelSpec(kind="openai", model="m", base_url=url, max_retries=0),
                             preflight=False)  # fmt: skip
    assert skipped.failed and all(e.status == "error" for e in skipped.episodes)


def test_the_cli_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    result = runner.invoke(app, ["simulate", "--planner", f"openai:m@{url}", "--generate", "3", "-o", str(tmp_path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and url in lines[0] and lines[0].startswith("error:"), result.output
    result = runner.invoke(app, ["simulate", "--planner", "openai:foo@localhost:9", "--generate", "3"])
    assert result.exit_code == 1 and "needs a scheme" in result.output
    result = runner.invoke(app, ["eval", "-p", "rules", "-p", f"builtin:{tmp_path / 'none'}", "--generate", "3",
                                 "-o", str(tmp_path / "e")])  # fmt: skip
    assert result.exit_code == 1 and "not a usable checkpoint" in result.output
