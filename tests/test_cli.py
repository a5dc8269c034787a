"""The `ccsim` command line as a user drives it: files in, files out, clear errors, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccsim.cli import app
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

runner = CliRunner()


def ccsim(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "250"})
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "scenarios.jsonl"
    code, output = ccsim("scenarios", "generate", "-n", "60", "--seed", "5", "-o", str(path))
    assert code == 0, output
    return path


def test_generate_is_byte_identical_for_a_seed(scenario_file: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.jsonl"
    assert ccsim("scenarios", "generate", "-n", "60", "--seed", "5", "-o", str(again))[0] == 0
    assert again.read_bytes() == scenario_file.read_bytes()
    assert len(scenario_file.read_text().splitlines()) == 60


def test_generate_honours_route_mix_and_split(tmp_path: Path) -> None:
    path = tmp_path / "fraud.jsonl"
    code, _ = ccsim("scenarios", "generate", "-n", "30", "--route-mix", "fraud=1", "--split", "val", "-o", str(path))
    assert code == 0
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert {r["expected_route"] for r in records} == {"fraud"}
    assert {r["split"] for r in records} == {"val"}


def test_a_bad_mix_is_a_clear_error(tmp_path: Path) -> None:
    code, output = ccsim("scenarios", "generate", "-n", "5", "--route-mix", "pizza=1", "-o", str(tmp_path / "x.jsonl"))
    assert code != 0
    assert "pizza" in output and "fraud" in output
    assert not (tmp_path / "x.jsonl").exists()


def test_stats_and_show(scenario_file: Path) -> None:
    code, output = ccsim("scenarios", "stats", str(scenario_file))
    assert code == 0 and "by route" in output and "60 scenarios" in output
    first_id = json.loads(scenario_file.read_text().splitlines()[0])["id"]
    code, output = ccsim("scenarios", "show", first_id, "-f", str(scenario_file))
    assert code == 0 and first_id in output
    code, output = ccsim("scenarios", "show", "nope", "-f", str(scenario_file))
    assert code == 1 and "no scenario with id 'nope'" in output


def test_import_minimal_csv_then_simulate_on_it(tmp_path: Path) -> None:
    csv = tmp_path / "mine.csv"
    csv.write_text(
        "id,opening_message,expected_route,needs_human,source\n"
        "c1,someone used my card in another country and it wasnt me,fraud,true,mine\n"
        "c2,whats my minimum payment this month,account_services,false,mine\n"
    )
    out = tmp_path / "mine.jsonl"
    code, output = ccsim("scenarios", "import", str(csv), "-o", str(out))
    assert code == 0, output
    imported = [json.loads(line) for line in out.read_text().splitlines()]
    assert imported[0]["opening_message"].startswith("someone used my card")
    code, output = ccsim("simulate", "-s", str(out), "-o", str(tmp_path / "run"), "--no-trajectories")
    assert code == 0, output
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["episodes"] == 2


def test_import_of_a_malformed_file_names_file_and_line_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "opening_message": "hi", "expected_route": "fraud", "needs_human": true}\n{not json\n')
    code, output = ccsim("scenarios", "import", str(bad), "-o", str(tmp_path / "out.jsonl"))
    assert code != 0
    assert "bad.jsonl" in output and "2" in output
    assert "Traceback" not in output
    assert not (tmp_path / "out.jsonl").exists()
    code, output = ccsim("scenarios", "import", str(bad), "--skip-invalid", "-o", str(tmp_path / "out.jsonl"))
    assert code == 0 and "1 skipped" in output


def test_simulate_writes_the_run_folder_and_resumes(scenario_file: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    code, output = ccsim("simulate", "-s", str(scenario_file), "-o", str(run), "--limit", "12")
    assert code == 0, output
    for name in ("config.json", "episodes.jsonl", "trajectories.jsonl", "summary.json", "report.md"):
        assert (run / name).exists(), name
    assert "OPENAI_API_KEY" in (run / "config.json").read_text()  # the variable's name, never a key
    code, output = ccsim("simulate", "-s", str(scenario_file), "-o", str(run), "--limit", "12")
    assert code == 1 and "--resume" in output
    code, output = ccsim("simulate", "-s", str(scenario_file), "-o", str(run), "--limit", "20", "--resume")
    assert code == 0, output
    assert len((run / "episodes.jsonl").read_text().splitlines()) == 20


def test_eval_puts_an_http_planner_and_rules_on_one_leaderboard(scenario_file: Path, tmp_path: Path) -> None:
    def always_fraud(body: dict) -> ScriptedReply:
        call = ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud", "summary": "x"})
        return ScriptedReply(tool_calls=[call], logprobs=bool(body.get("logprobs")))

    with FakeOpenAIServer(responder=always_fraud) as server:
        code, output = ccsim(
            "eval", "-p", "rules", "-p", f"openai:fake-model@{server.base_url}",
            "-s", str(scenario_file), "--limit", "16", "-o", str(tmp_path / "eval"),
        )  # fmt: skip
    assert code == 0, output
    board = json.loads((tmp_path / "eval" / "leaderboard.json").read_text())
    by_planner = {row["planner"]: row for row in board["planners"]}
    assert set(by_planner) == {"rules", "openai:fake-model"}
    fraud_share = by_planner["openai:fake-model"]["per_route"]["fraud"]["support"] / 16
    assert by_planner["openai:fake-model"]["route_accuracy"]["value"] == pytest.approx(fraud_share, abs=1e-3)
    assert "openai:fake-model" in (tmp_path / "eval" / "leaderboard.md").read_text()


def test_graph_prints_mermaid() -> None:
    code, output = ccsim("graph")
    assert code == 0
    assert "planner" in output and "transfer" in output and "-->" in output


def test_no_weave_or_wandb_connection_without_a_key(
    scenario_file: Path, tmp_path: Path, no_network, monkeypatch
) -> None:
    import weave

    def refuse_init(*args: object, **kwargs: object) -> None:
        raise AssertionError("weave.init called without WANDB_API_KEY")

    monkeypatch.setattr(weave, "init", refuse_init)
    code, output = ccsim("eval", "-p", "rules", "-s", str(scenario_file), "--limit", "8", "-o", str(tmp_path / "e"))
    assert code == 0, output
    assert list(no_network) == []
