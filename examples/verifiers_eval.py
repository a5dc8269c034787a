"""Evaluate a planner model on the contact center through verifiers' own eval runner (`pip install "ccsim[verifiers]"`).

    python examples/verifiers_eval.py --base-url http://localhost:8000/v1 --model my-model -n 20

It is `vf-eval ccsim-contact-center -n 20 -m my-model --client.base-url http://localhost:8000/v1 --no-push`
from Python: verifiers loads the environment by its id (the module `ccsim_contact_center`), plays each
scenario as one episode (the model is the planner, the contact center is its user), and scores it with
ccsim's rubric. The traces land in `OUTPUT_DIR/<run>/traces.jsonl`; prime-rl trains on the same id.
Nothing but the model endpoint is contacted: the planner seat runs in-process, with no sandbox or program
to install.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from verifiers.v1.cli.eval.runner import run_eval
from verifiers.v1.configs.cli.eval import EvalConfig

from ccsim.env.verifiers_env import ENV_ID


async def evaluate(
    *,
    base_url: str,
    model: str,
    num_scenarios: int = 20,
    api_key_var: str = "OPENAI_API_KEY",
    output_dir: str = "outputs",
    taskset: dict[str, Any] | None = None,
    **env: Any,
) -> list[Any]:
    """The finished verifiers episodes; `taskset` and `env` take the environment's knobs
    (`ContactCenterTasksetConfig`, `ContactCenterEnvConfig`: difficulty_weights, reward, customer, ...)."""
    config = EvalConfig.model_validate(
        {
            "env": {"taskset": {"id": ENV_ID, "num_scenarios": num_scenarios, **(taskset or {})}, **env},
            "model": model,
            "client": {"type": "eval", "base_url": base_url, "api_key_var": api_key_var},
            "push": False,  # keep the run local (True uploads it to the Prime Intellect platform)
            "rich": None,
            "output_dir": output_dir,
        }
    )
    return await run_eval(config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://localhost:8000/v1")
    parser.add_argument("--model", default="my-model")
    parser.add_argument("-n", "--num-scenarios", type=int, default=20)
    parser.add_argument("--api-key-var", default="OPENAI_API_KEY", help="The variable holding the endpoint's key.")
    parser.add_argument("-o", "--output-dir", default="outputs")
    args = parser.parse_args()
    episodes = asyncio.run(
        evaluate(
            base_url=args.base_url,
            model=args.model,
            num_scenarios=args.num_scenarios,
            api_key_var=args.api_key_var,
            output_dir=args.output_dir,
        )
    )
    traces = [trace for episode in episodes for trace in episode.traces]
    for trace in traces:
        state = trace.state
        print(f"{trace.task.data.scenario_id}  route={state.route}  status={state.status}  reward={trace.reward:+.3f}")
    if traces:
        print(f"mean reward {sum(t.reward for t in traces) / len(traces):+.3f} over {len(traces)} episodes")


if __name__ == "__main__":
    main()
