"""Episodes per second: a planner (rules by default) with the scripted customer and helpers, at concurrency 1 and 32,
against a bare LangGraph graph that takes the same number of steps with no work in its nodes.

Each repeat measures the two side by side (ours, then the bare graph with the planner steps our episodes just
took), and the ratio printed is ours / bare, the median over the repeats' paired ratios: the share of the
framework's own speed that is left once our code (policies, simulators, tools, scoring, records) runs in the
nodes. Issue 10's target for the rules planner is at least 0.5.

On a shared machine wall-clock rates swing with the load, so each row also gives the process's CPU ms per
episode (user + system, `resource.getrusage`) for ours and the bare graph, and the median paired CPU ratio
(bare CPU / our CPU per episode: the same share, read from CPU time).
Usage: python benchmarks/episode_throughput.py [--episodes 400] [--repeats 3] [--planner SPEC]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import time
from typing import TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

import ccsim.contact_center.observability  # noqa: F401  (offline defaults before LangChain is imported)
from ccsim.agents.runner import RunSettings, run_episodes
from ccsim.contact_center.config import ModelSpec, parse_model_spec
from ccsim.contact_center.summary import route_accuracy
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios


class _BareState(TypedDict):
    steps_left: int


def bare_graph() -> CompiledStateGraph[_BareState, None, _BareState, _BareState]:
    """customer -> planner -> customer ... with empty nodes, ending after `steps_left` planner steps."""

    def customer(state: _BareState) -> dict:
        return {}

    def planner(state: _BareState) -> dict:
        return {"steps_left": state["steps_left"] - 1}

    def next_node(state: _BareState) -> str:
        return "customer" if state["steps_left"] > 0 else END

    builder = StateGraph(_BareState)
    builder.add_node("customer", customer)
    builder.add_node("planner", planner)
    builder.add_edge(START, "customer")
    builder.add_edge("customer", "planner")
    builder.add_conditional_edges("planner", next_node, ["customer", END])
    return builder.compile()


async def _bare_rate(steps: list[int], concurrency: int) -> float:
    graph = bare_graph()
    semaphore = asyncio.Semaphore(concurrency)

    async def one(n: int) -> None:
        async with semaphore:
            await graph.ainvoke({"steps_left": n})

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in steps))
    return len(steps) / (time.perf_counter() - started)


async def _planner_rate(scenarios: list, concurrency: int, planner: ModelSpec) -> tuple[float, list[int], float]:
    settings = RunSettings(planner=planner, concurrency=concurrency)
    started = time.perf_counter()
    episodes = await run_episodes(scenarios, settings)
    rate = len(episodes) / (time.perf_counter() - started)
    steps = [max(1, e.metrics.planner_calls) for e in episodes if e.metrics]
    return rate, steps, route_accuracy(episodes)


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def main(episodes: int, repeats: int, planner: ModelSpec) -> None:
    scenarios = generate_scenarios(GenerationConfig(count=episodes, seed=11))
    await _planner_rate(scenarios[:20], 8, planner)  # warm imports and caches outside the timings
    print(f"{episodes} episodes per measurement, median of {repeats} repeats")
    print(f"{'what':<44}{'concurrency':>12}{'episodes/s':>14}")
    for concurrency in (1, 32):
        ours, bare, ratios, ours_cpu, bare_cpu, cpu_ratios = [], [], [], [], [], []
        for _ in range(repeats):
            started = _cpu_s()
            rate, steps, accuracy = await _planner_rate(scenarios, concurrency, planner)
            between = _cpu_s()
            bare_rate = await _bare_rate(steps, concurrency)
            ended = _cpu_s()
            ours.append(rate)
            bare.append(bare_rate)
            ratios.append(rate / bare_rate)
            ours_cpu.append(1000 * (between - started) / len(scenarios))
            bare_cpu.append(1000 * (ended - between) / len(steps))
            cpu_ratios.append(bare_cpu[-1] / ours_cpu[-1])
        r, b, ratio = statistics.median(ours), statistics.median(bare), statistics.median(ratios)
        print(f"{planner.label[:28] + ' + scripted sims':<44}{concurrency:>12}{r:>14.1f}")
        print(f"{'bare LangGraph graph, same planner steps':<44}{concurrency:>12}{b:>14.1f}")
        label = "  ratio ours / bare (target >= 0.5)"
        print(f"{label:<44}{concurrency:>12}{ratio:>14.2f}   (route accuracy {accuracy:.3f})")
        cpu = f"{statistics.median(ours_cpu):.2f} / {statistics.median(bare_cpu):.2f}"
        label = "  CPU ms/episode ours / bare, CPU ratio"
        print(f"{label:<44}{concurrency:>12}{cpu:>14}   {statistics.median(cpu_ratios):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--planner", default="rules", help="planner spec, e.g. rules or builtin:runs/builtin/best")
    args = parser.parse_args()
    asyncio.run(main(args.episodes, args.repeats, parse_model_spec(args.planner)))
