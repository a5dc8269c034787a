"""`ccsim train` end to end from the command line: the built-in planner, and the ART loop on a test backend."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ccsim.cli import app
from tests import art_backend_double
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

runner = CliRunner()


def ccsim(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "250"})
    return result.exit_code, result.output


def _random_route(body: dict[str, Any]) -> ScriptedReply:
    # Sampled rollouts disagree, so each group has reward signal; the model's own endpoint sends logprobs.
    department = random.Random(len(json.dumps(body))).choice(["fraud", "disputes", "hardship", "account_closure"])
    call = ScriptedToolCall(name="transfer_to_human", arguments={"department": department, "summary": "issue"})
    return ScriptedReply(tool_calls=[call], logprobs=bool(body.get("logprobs")))


def test_art_training_runs_two_steps_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    data = tmp_path / "data"
    for split, n in (("train", 12), ("val", 4)):
        code, output = ccsim("scenarios", "generate", "-n", str(n), "--route-mix", "fraud=1,disputes=1",
                             "--split", split, "--seed", "3", "-o", str(data / f"{split}.jsonl"))  # fmt: skip
        assert code == 0, output
    with FakeOpenAIServer(_random_route) as server:
        monkeypatch.setenv(art_backend_double.BASE_URL_ENV, server.base_url)
        code, output = ccsim(
            "train", "--backend", "custom", "--backend-factory", "tests.art_backend_double:from_env",
            "--model-name", "cli-test", "--project", "ccsim-tests", "--steps", "2", "--groups-per-step", "2",
            "--rollouts-per-group", "3", "--train-scenarios", str(data / "train.jsonl"),
            "--val-scenarios", str(data / "val.jsonl"), "--val-every", "1", "--out", str(tmp_path / "art"),
        )  # fmt: skip
        requests = list(server.requests)
    assert code == 0, output
    backend = art_backend_double.LAST[-1]
    assert len(backend.train_calls) == 2
    groups = backend.train_calls[0][0]
    assert len(groups) == 2 and all(len(g.trajectories) == 3 for g in groups)
    assert all(r["logprobs"] for r in requests if r.get("temperature", 0) > 0)
    assert "trained cli-test from step 0 to 2" in output


def test_a_custom_backend_without_a_factory_is_a_clear_error(tmp_path: Path) -> None:
    code, output = ccsim("train", "--backend", "custom", "--train-scenarios", str(tmp_path / "x.jsonl"))
    assert code == 1
    assert "--backend-factory" in output


def test_builtin_training_runs_from_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "builtin"
    corpus = tmp_path / "corpus.csv"
    corpus.write_text(
        "id,opening_message,expected_route,needs_human\nc1,my card got declined at the store,card_services,no\n"
    )
    code, output = ccsim("train", "--policy", "builtin", "--steps", "3", "--groups-per-step", "4",
                         "--rollouts-per-group", "2", "--generate", "120", "--val-every", "3",
                         "--concurrency", "8", "--corpus", str(corpus), "--out", str(out))  # fmt: skip
    assert code == 0, output
    report = json.loads((out / "train_report.json").read_text())
    assert report["config"]["corpus_files"] == [str(corpus)]
    assert (out / "best" / "policy.json").exists()
    assert (out / "learning_curve.png").exists() and (out / "learning_curve.csv").exists()
    code, output = ccsim("simulate", "--planner", f"builtin:{out / 'best'}", "--generate", "20",
                         "-o", str(tmp_path / "sim"), "--no-trajectories")  # fmt: skip
    assert code == 0, output


def test_builtin_training_with_worker_processes_learns_the_same_weights(tmp_path: Path) -> None:
    small = ["train", "--policy", "builtin", "--steps", "2", "--groups-per-step", "3", "--rollouts-per-group", "2",
             "--generate", "120", "--val-every", "2", "--concurrency", "6", "--warm-start", "none",
             "--no-corpus"]  # fmt: skip
    digests = []
    for name, workers in (("one", "1"), ("two", "2")):
        code, output = ccsim(*small, "--workers", workers, "--out", str(tmp_path / name))
        assert code == 0, output
        digests.append(json.loads((tmp_path / name / "train_report.json").read_text())["policy_sha256"])
    assert digests[0] == digests[1]
    assert "12 training episodes" in output
