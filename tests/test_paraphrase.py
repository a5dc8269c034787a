from __future__ import annotations

from pathlib import Path

from ccsim.contact_center.taxonomy import Route
from ccsim.scenarios.generator import generate_scenario
from ccsim.scenarios.paraphrase import KeywordRouteClassifier, ParaphraseConfig, Paraphraser, paraphrase_scenarios
from tests.fake_openai import FakeOpenAIServer


def _scenarios():
    return [generate_scenario("check_balance", "easy", 1, scenario_id="a"),
            generate_scenario("lost_card", "easy", 2, scenario_id="b")]  # fmt: skip


def _config(server: FakeOpenAIServer, cache: Path) -> ParaphraseConfig:
    return ParaphraseConfig(model="fake-model", base_url=server.base_url, seed=7, cache_path=cache, max_retries=0)


def test_keyword_classifier_vetoes_only_clear_drift() -> None:
    checker = KeywordRouteClassifier()
    assert checker.classify("i want to close my account") is Route.ACCOUNT_CLOSURE
    assert checker("whats my balance", "how much do i owe right now", Route.ACCOUNT_SERVICES)
    assert not checker("whats my balance", "please close my account for good", Route.ACCOUNT_SERVICES)


async def test_rewrites_cache_and_rejection(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    cache = tmp_path / "cache.json"
    scenarios = _scenarios()
    with FakeOpenAIServer() as server:
        server.enqueue(text="hey how much do i owe on this card rn")
        # drifts to another issue: must be rejected and the original kept
        server.enqueue(text="please close my credit card account, I'm done")
        out, report = await paraphrase_scenarios(scenarios, Paraphraser(_config(server, cache)), concurrency=1)
        assert len(server.requests) == 2
        body = server.requests[0]
        assert body["seed"] == 7 and body["model"] == "fake-model"
        assert scenarios[0].opening_message in str(body["messages"])

    assert (report.rewritten, report.rejected, report.failed) == (1, 1, 0)
    assert report.rejected_ids == ["b"]
    assert out[0].opening_message == "hey how much do i owe on this card rn"
    assert out[0].template_id is None and "paraphrased" in out[0].tags
    assert out[1].opening_message == scenarios[1].opening_message
    assert cache.exists()

    # Offline rerun: served from the cache, no server needed, same result.
    with FakeOpenAIServer() as server:
        again, report2 = await paraphrase_scenarios(scenarios, Paraphraser(_config(server, cache)))
        assert server.requests == []
    assert [s.opening_message for s in again] == [s.opening_message for s in out]
    assert (report2.from_cache, report2.rejected) == (1, 1)


async def test_endpoint_error_keeps_original(tmp_path: Path) -> None:
    scenarios = _scenarios()[:1]
    with FakeOpenAIServer() as server:
        server.enqueue(status=500, error_message="down")
        out, report = await paraphrase_scenarios(scenarios, Paraphraser(_config(server, tmp_path / "c.json")))
    assert report.failed == 1 and out[0].opening_message == scenarios[0].opening_message


async def test_injected_checker_is_used(tmp_path: Path) -> None:
    scenarios = _scenarios()[:1]
    with FakeOpenAIServer() as server:
        server.enqueue(text="what do i owe")
        paraphraser = Paraphraser(_config(server, tmp_path / "c.json"), checker=lambda *_: False)
        _, report = await paraphrase_scenarios(scenarios, paraphraser)
    assert report.rejected == 1


async def test_progress_is_reported_and_the_cache_is_saved_as_rewrites_arrive(tmp_path: Path) -> None:
    import json

    import pytest

    cache = tmp_path / "cache.json"
    scenarios = [*_scenarios(), generate_scenario("check_balance", "easy", 3, scenario_id="c")]
    seen: list[tuple[int, int, int]] = []

    def progress(done: int, total: int) -> None:
        on_disk = len(json.loads(cache.read_text())) if cache.exists() else 0
        seen.append((done, total, on_disk))
        if done == 2:
            raise RuntimeError("stopped")  # the run dies after two openings

    with FakeOpenAIServer() as server:
        for text in ("how much do i owe rn", "lost my card somewhere", "balance please"):
            server.enqueue(text=text)
        paraphraser = Paraphraser(_config(server, cache))
        with pytest.raises(RuntimeError, match="stopped"):
            await paraphrase_scenarios(scenarios, paraphraser, concurrency=1, on_progress=progress, save_every=1)
    # Saved while running (each rewrite was on disk by its callback), and kept when the run died.
    assert seen == [(1, 3, 1), (2, 3, 2)]
    assert len(json.loads(cache.read_text())) == 2
