"""The default programmatic reward (DESIGN section 6): one config, one function over an episode's metrics.

The runner calls `episode_reward` for every finished episode, so evaluation, simulation and training score
an episode the same way. Kept dependency-free (contact_center only) because everything imports it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ccsim.contact_center.episode import EpisodeMetrics


class RewardConfig(BaseModel):
    """Weights of the programmatic reward. The defaults put a correct route far above everything else.

    reward = route_correct
           + human_decision_partial       (only when the route is wrong but the human/no-human call is right)
           + state_correct_bonus          (required side effects hold)
           + handoff_summary_bonus        (a transfer's summary names the facts the department needs)
           - invalid_action_penalty * invalid_actions
           - needless_turn_penalty * max(0, planner_calls - free_turns)
           - premature_route_penalty * max(0, routing_actions - 1)   (the customer came back unresolved)
           - unneeded_question_penalty    (asked although the opening decided the route)
           - turn_limit_penalty           (the episode ran out of turns)

    An errored episode (status 'error', or no metrics) gets `error_reward` instead; the runner applies it.
    """

    model_config = ConfigDict(extra="forbid")

    route_correct: float = Field(default=1.0, ge=0, description="Reward for ending at the expected destination.")
    human_decision_partial: float = Field(
        default=0.3,
        ge=0,
        description="Partial credit when the destination is wrong but the human/no-human decision is right. "
        "Not given when the episode never routed.",
    )
    state_correct_bonus: float = Field(
        default=0.05, ge=0, description="Bonus when every required side effect holds (e.g. a lost card is locked)."
    )
    handoff_summary_bonus: float = Field(
        default=0.05, ge=0, description="Bonus when a transfer's summary carries the facts the department needs."
    )
    invalid_action_penalty: float = Field(
        default=0.2, ge=0, description="Cost of each malformed or unknown planner action."
    )
    free_turns: int = Field(
        default=1,
        ge=0,
        description="Planner calls that cost nothing: the routing call itself. Every question then costs "
        "needless_turn_penalty, which a question that was needed repays many times over.",
    )
    needless_turn_penalty: float = Field(default=0.1, ge=0, description="Cost of each planner call beyond free_turns.")
    premature_route_penalty: float = Field(
        default=0.5,
        ge=0,
        description="Cost of each routing action before the last one. Without it a delegate to any helper is a "
        "free probe (the customer comes back and the planner routes again) and policies learn to probe first.",
    )
    unneeded_question_penalty: float = Field(
        default=0.0,
        ge=0,
        description="Cost of asking when the scenario says the opening already decided the route. Off by default: "
        "the turn cost usually suffices; it uses a label, so it is a training aid rather than an outcome.",
    )
    turn_limit_penalty: float = Field(default=0.5, ge=0, description="Cost of running out of turns.")
    error_reward: float = Field(
        default=0.0,
        description="Reward of an errored episode (status 'error' or no metrics), applied by the runner.",
    )
    min_reward: float | None = Field(default=-1.0, description="Lower clip of the reward; None for no clip.")


def episode_reward(metrics: EpisodeMetrics, config: RewardConfig) -> float:
    """The scalar reward of one finished episode under `config`."""
    reward = 0.0
    if metrics.route_correct:
        reward += config.route_correct
    elif metrics.route is not None and metrics.send_to_human_correct:
        reward += config.human_decision_partial
    if metrics.state_correct:
        reward += config.state_correct_bonus
    if metrics.handoff_summary_ok:
        reward += config.handoff_summary_bonus
    reward -= config.invalid_action_penalty * metrics.invalid_actions
    reward -= config.needless_turn_penalty * max(0, metrics.planner_calls - config.free_turns)
    reward -= config.premature_route_penalty * max(0, metrics.routing_actions - 1)
    if metrics.asked_clarification and not metrics.clarification_needed:
        reward -= config.unneeded_question_penalty
    if metrics.turn_limit_hit:
        reward -= config.turn_limit_penalty
    if config.min_reward is not None:
        reward = max(config.min_reward, reward)
    return round(reward, 6)
