"""How `ccsim view` and report.html scale: a 10,000-episode run folder, indexed, one episode opened, the page built.

The run is made by playing 200 real episodes (rules planner and an always-fraud planner, so some fail) and
copying them under new ids up to --episodes, so every line is a real episode record of the usual size.
Usage: python benchmarks/run_views.py [--episodes 10000] [--out /tmp/ccsim-view-bench]
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableLambda

import ccsim
from ccsim.contact_center.html_report import PlannerRun, write_report_html
from ccsim.contact_center.run_folder import EPISODES, RunFolder, load_episodes
from ccsim.contact_center.run_index import RunIndex, select
from ccsim.contact_center.summary import summarize


def always_fraud() -> RunnableLambda[list[BaseMessage], AIMessage]:
    """A planner that sends every caller to fraud: most of its episodes fail."""
    call = {"name": "transfer_to_human", "args": {"department": "fraud", "summary": "fraud?"}, "id": "call_1"}
    return RunnableLambda(lambda _messages: AIMessage(content="", tool_calls=[call]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/ccsim-view-bench"))
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)

    scenarios = ccsim.generate_scenarios(100, seed=5)
    seeds = [e for p in ("rules", always_fraud()) for e in ccsim.simulate(scenarios, planner=p).episodes]
    folder = args.out / "run"
    with RunFolder(folder) as run:
        for i in range(args.episodes):
            base = seeds[i % len(seeds)]
            run.append(base.model_copy(update={"episode_id": f"big-{i:06d}#0", "scenario_id": f"big-{i:06d}"}))
    size_mb = (folder / EPISODES).stat().st_size / 1e6
    print(f"{args.episodes} episodes, episodes.jsonl {size_mb:.1f} MB")

    started = time.perf_counter()
    index = RunIndex.build(folder)
    indexed = time.perf_counter() - started
    failed = list(select(index.rows, only_failed=True))
    started = time.perf_counter()
    episode = index.load(failed[-1])
    opened = time.perf_counter() - started
    print(f"index (the list `ccsim view` shows): {indexed:.2f} s for {len(index.rows)} rows, {len(failed)} failed")
    print(f"open the last failed episode from its offset: {1000 * opened:.1f} ms ({len(episode.events)} events)")

    started = time.perf_counter()
    episodes, _ = load_episodes(folder / EPISODES)
    loaded = time.perf_counter() - started
    summary = summarize("mixed", episodes)
    started = time.perf_counter()
    page = write_report_html(folder, [PlannerRun("mixed", summary, episodes)])
    built = time.perf_counter() - started
    print(f"for comparison, validating every episode (what a run already holds in memory): {loaded:.2f} s")
    print(f"report.html: {built:.2f} s, {page.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
