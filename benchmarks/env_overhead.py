"""The step API's overhead per `step` against `ccsim.simulate` on the same episodes (one run, sequential).

Both sides play the same scenarios with the rules planner's decisions, one episode at a time:
- simulate: `ccsim.asimulate(scenarios, planner="rules", concurrency=1)`, the graph calls the planner itself;
- env: `ContactCenterEnv.reset/step`, the caller converts each observation (OpenAI messages) back to LangChain
  messages, asks `RulesPlanner`, and sends its decision as an OpenAI action, as an external trainer would.
It checks that both gave the same routes and rewards, then prints the wall times, the number of steps, the
overhead per step ((env - simulate) / steps) and the ratio env / simulate.

Usage: python benchmarks/env_overhead.py [--episodes 300] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from langchain_core.messages import AIMessage, convert_to_messages

import ccsim
from ccsim.agents.policies.rules import RulesPlanner
from ccsim.env import Action, ContactCenterEnv


async def drive(scenarios: list[ccsim.Scenario]) -> tuple[list[tuple[str, object, object]], int]:
    env = ContactCenterEnv(scenarios, planner_label="rules")
    rules = RulesPlanner()
    played, steps = [], 0
    for scenario in scenarios:
        observation = await env.reset(scenario)
        while True:
            decision = await rules.ainvoke(convert_to_messages(observation.messages))
            assert isinstance(decision, AIMessage)
            result = await env.step(Action.from_message(decision))
            steps += 1
            if result.done:
                break
            observation = result.observation
        played.append((scenario.id, result.info.route, result.reward))
    return played, steps


async def main(episodes: int, seed: int) -> None:
    scenarios = ccsim.generate_scenarios(episodes, seed=seed)
    await ccsim.asimulate(scenarios[:10], planner="rules", concurrency=1)  # warm-up: imports, graph compile
    await drive(scenarios[:10])

    started = time.perf_counter()
    run = await ccsim.asimulate(scenarios, planner="rules", concurrency=1)
    simulate_s = time.perf_counter() - started

    # The same runner one episode at a time, without simulate's run summary (bootstrap intervals) at the end.
    started = time.perf_counter()
    for scenario in scenarios:
        await ccsim.aplay_episode(scenario, planner="rules")
    runner_s = time.perf_counter() - started

    started = time.perf_counter()
    played, steps = await drive(scenarios)
    env_s = time.perf_counter() - started

    expected = [(e.scenario_id, str(e.final_route) if e.final_route else None, e.reward) for e in run.episodes]
    same = sorted(played) == sorted(expected)
    print(f"episodes {episodes}, planner steps {steps} ({steps / episodes:.2f} per episode); same records: {same}")
    print(f"simulate    {simulate_s:7.3f} s  ({1000 * simulate_s / steps:.3f} ms per planner step, summary included)")
    print(f"play_episode {runner_s:6.3f} s  ({1000 * runner_s / steps:.3f} ms per planner step)")
    print(f"env step    {env_s:7.3f} s  ({1000 * env_s / steps:.3f} ms per step, driver included)")
    for name, base in (("simulate", simulate_s), ("play_episode", runner_s)):
        overhead = 1000 * (env_s - base) / steps
        print(f"vs {name}: overhead {overhead:+.3f} ms per step; ratio env / {name} {env_s / base:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(main(args.episodes, args.seed))
