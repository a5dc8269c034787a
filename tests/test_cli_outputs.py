"""What the CLI writes and shows: no silent overwrites, one file mode, readable `scenarios show`, `graph --png`."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccsim.cli import app

runner = CliRunner()


def ccsim(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_generate_and_import_refuse_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    assert ccsim("scenarios", "generate", "-n", "3", "--seed", "1", "-o", str(out))[0] == 0
    before = out.read_bytes()
    code, output = ccsim("scenarios", "generate", "-n", "4", "--seed", "2", "-o", str(out))
    assert code == 1 and "already exists" in output and "--force" in output
    assert out.read_bytes() == before
    assert ccsim("scenarios", "generate", "-n", "4", "--seed", "2", "-o", str(out), "--force")[0] == 0
    assert len(out.read_text().splitlines()) == 4

    imported = tmp_path / "i.jsonl"
    imported.write_text("keep me\n")
    code, output = ccsim("scenarios", "import", str(out), "-o", str(imported))
    assert code == 1 and "already exists" in output and imported.read_text() == "keep me\n"
    assert ccsim("scenarios", "import", str(out), "-o", str(imported), "--force")[0] == 0
    assert len(imported.read_text().splitlines()) == 4


def test_run_folders_and_scenario_files_get_the_same_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        scenarios = tmp_path / "s.jsonl"
        assert ccsim("scenarios", "generate", "-n", "3", "-o", str(scenarios))[0] == 0
        assert ccsim("simulate", "-s", str(scenarios), "-o", str(tmp_path / "run"), "--no-trajectories")[0] == 0
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [scenarios, *(tmp_path / "run").iterdir()]}
    assert set(modes.values()) == {0o640}, modes  # 0o666 less the umask, for every file alike
    assert {"episodes.jsonl", "summary.json", "report.md", "report.html", "config.json"} <= set(modes)


def test_scenarios_show_leads_with_readable_fields_and_json_prints_the_record(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    assert ccsim("scenarios", "generate", "-n", "4", "--seed", "3", "-o", str(path))[0] == 0
    record = json.loads(path.read_text().splitlines()[1])
    code, output = ccsim("scenarios", "show", record["id"], "-f", str(path))
    assert code == 0
    lines = output.splitlines()
    first = {name: next(i for i, line in enumerate(lines) if name in line) for name in
             ("intent", "expected route", "difficulty", "opening", "fact: issue_summary", "customer")}  # fmt: skip
    assert first["intent"] < first["expected route"] < first["difficulty"] < first["opening"] < first["customer"]
    assert record["intent"] in output and record["expected_route"] in output
    assert record["facts"]["issue_summary"][:30] in output
    assert '"customer"' not in output  # not the JSON dump
    code, output = ccsim("scenarios", "show", record["id"], "-f", str(path), "--json")
    assert code == 0 and json.loads(output) == record


def test_graph_png_renders_offline_or_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    png = tmp_path / "graph.png"
    if shutil.which("dot") is not None:
        code, output = ccsim("graph", "--png", str(png))
        assert code == 0 and "graphviz dot" in output
        assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        code, output = ccsim("graph", "--png", str(png))
        assert code == 1 and "--force" in output
        png.unlink()
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    code, output = ccsim("graph", "--png", str(png))
    assert code == 1 and "apt-get install graphviz" in output and not png.exists()


def test_graph_dot_source_has_every_node_and_edge() -> None:
    from ccsim.agents.graph import contact_center_graph
    from ccsim.cli.graph_render import dot_source

    drawable = contact_center_graph().get_graph()
    text = dot_source(drawable)
    assert all(f'"{node}"' in text for node in drawable.nodes)
    assert text.count("->") == len(drawable.edges)


def test_generate_with_paraphrasing_shows_progress_and_keeps_its_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fake_openai import FakeOpenAIServer, ScriptedReply

    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    cache, out = tmp_path / "cache.json", tmp_path / "p.jsonl"
    with FakeOpenAIServer(lambda body: ScriptedReply(text="hi, i need some help with my card")) as server:
        args = ["scenarios", "generate", "-n", "5", "-o", str(out), "--paraphrase-model", "fake-model",
                "--paraphrase-base-url", server.base_url, "--paraphrase-cache", str(cache),
                "--concurrency", "1"]  # fmt: skip
        code, output = ccsim(*args)
        assert code == 0, output
        assert len(server.requests) == 5
    assert "paraphrasing" in output and "5/5" in output
    assert len(json.loads(cache.read_text())) == 5
