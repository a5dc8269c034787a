"""A `gymnasium.Env` over the step API, for classic RL loops (`pip install "ccsim[gym]"`).

Observations and actions are text (`gymnasium.spaces.Text` over printable ASCII):
- the observation is the planner's messages as an OpenAI-format JSON list (`json.dumps(..., ensure_ascii=True)`,
  so any customer text fits the charset); the planner's tools are in `info["tools"]` after `reset`;
- the action is either an OpenAI assistant message as a JSON object (`{"tool_calls": [...]}` or
  `{"content": "..."}`) or any other string, which is sent to the customer as the planner's question.
The reward is the rubric's at the end, 0 before; `terminated` on a transfer or when the customer hangs up,
`truncated` at the turn limit or the timeout. `info` carries the step's invalid-action errors and, at the
end, the route and metrics; `env.episode` is the full record and `env.trajectory()` its ART trajectory.
"""

from __future__ import annotations

import json
from typing import Any

import gymnasium
from gymnasium import spaces

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.models import Scenario
from ccsim.env.core import SyncContactCenterEnv
from ccsim.env.models import Observation, StepResult
from ccsim.env.sampling import ScenarioSource

CHARSET = "".join(chr(c) for c in range(32, 127))  # printable ASCII: what ensure_ascii JSON is made of


def parse_text_action(text: str) -> dict[str, Any] | str:
    """A JSON object is an assistant message; anything else is text for the customer."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError:
            return text
        if isinstance(value, dict):
            return value
    return text


class ContactCenterGymEnv(gymnasium.Env[str, str]):
    """The contact center as a Gymnasium environment with text observations and actions (synchronous).

    Arguments are those of `ContactCenterEnv` (scenarios, customer, helper, reward, max_turns, on_step,
    on_episode_end, ...); `options={"scenario": scenario}` in `reset` plays that scenario.
    """

    metadata = {"render_modes": ["ansi"]}  # noqa: RUF012 (Gymnasium declares it an instance attribute)

    def __init__(
        self,
        scenarios: ScenarioSource = None,
        *,
        render_mode: str | None = None,
        max_observation_chars: int = 10_000_000,
        max_action_chars: int = 4096,
        **env_kwargs: Any,
    ) -> None:
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        self.render_mode = render_mode
        self.observation_space = spaces.Text(max_length=max_observation_chars, min_length=0, charset=CHARSET)
        self.action_space = spaces.Text(max_length=max_action_chars, min_length=0, charset=CHARSET)
        self._env = SyncContactCenterEnv(scenarios, **env_kwargs)
        self._last: Observation | None = None

    @property
    def episode(self) -> Episode | None:
        """The last finished episode's record."""
        return self._env.episode

    def trajectory(self) -> Any:
        """The last finished episode's `art.Trajectory`."""
        return self._env.trajectory()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        super().reset(seed=seed)
        scenario = (options or {}).get("scenario")
        if scenario is not None and not isinstance(scenario, Scenario):
            scenario = Scenario.model_validate(scenario)
        # The scenario draw follows the env's np_random, so a seeded reset replays and an unseeded one moves on.
        draw = int(self.np_random.integers(2**31 - 1))
        observation = self._env.reset(scenario, seed=draw, trial=int((options or {}).get("trial", 0)))
        self._last = observation
        info = {
            "tools": observation.tools,
            "scenario_id": observation.scenario_id,
            "episode_id": observation.episode_id,
            "turn": observation.turn,
        }
        return self._text(observation), info

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        result: StepResult = self._env.step(parse_text_action(action) if isinstance(action, str) else action)
        self._last = result.observation
        info: dict[str, Any] = {
            "turn": result.observation.turn,
            "errors": list(result.info.errors),
            "invalid_actions": result.info.invalid_actions,
        }
        if result.done:
            info["route"] = result.info.route
            info["status"] = result.info.status
            info["metrics"] = result.info.metrics.model_dump(mode="json") if result.info.metrics else None
        terminated = result.done and not result.truncated
        return self._text(result.observation), float(result.reward), terminated, result.truncated, info

    def render(self) -> str | None:
        if self.render_mode != "ansi" or self._last is None:
            return None
        lines = []
        for message in self._last.messages[1:]:  # the system prompt is long and always the same
            text = message.get("content") or json.dumps(message.get("tool_calls"), ensure_ascii=False)
            lines.append(f"{message['role']}: {text}")
        return "\n".join(lines)

    def close(self) -> None:
        self._env.close()

    @staticmethod
    def _text(observation: Observation) -> str:
        return json.dumps(observation.messages, ensure_ascii=True)


def register(env_id: str = "ccsim/ContactCenter-v0") -> str:
    """Register the env with Gymnasium (`gymnasium.make("ccsim/ContactCenter-v0", scenarios=...)`)."""
    if env_id not in gymnasium.registry:
        gymnasium.register(id=env_id, entry_point="ccsim.env.gymnasium_env:ContactCenterGymEnv")
    return env_id
