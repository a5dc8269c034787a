"""GRPO for the built-in planner: the math, and short training runs through the canonical runner."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ccsim.agents.policies.builtin import PlannerStep, load_builtin_planner
from ccsim.agents.policies.builtin_policy import LinearSoftmaxPolicy
from ccsim.agents.policies.featurizer import HashingFeaturizer, HashingFeaturizerConfig
from ccsim.agents.runner import RunAbortedError
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.models import Split
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from ccsim.scenarios.io import ScenarioFileError, dumps_scenario, write_scenarios
from ccsim.training.builtin_train import (
    BuiltinTrainConfig,
    PriorDropout,
    TrainProgress,
    answer_steps,
    group_advantages,
    label_steps,
    load_training_scenarios,
    policy_gradient_update,
    prior_block_ranges,
    studied_corpus,
    train_builtin,
    training_splits,
)
from ccsim.training.learning_curve import read_curve_csv
from tests.fake_openai import FakeOpenAIServer, ScriptedReply

# Without the rules prior block: these tests watch RL and imitation move a policy that starts from nothing.
SMALL = HashingFeaturizerConfig(n_buckets=2**14, rules_prior=False)
PRIOR = HashingFeaturizerConfig(n_buckets=2**14)


def test_group_advantages_are_centred_and_scaled() -> None:
    adv = group_advantages([1.0, 0.0, 0.0, 1.0], epsilon=1e-6)
    assert adv.mean() == pytest.approx(0.0)
    assert adv.std() == pytest.approx(1.0, rel=1e-4)
    assert adv[0] > 0 > adv[1]
    assert np.all(group_advantages([0.7, 0.7, 0.7], epsilon=1e-6) == 0), "a group that agrees teaches nothing"


def _step(policy: LinearSoftmaxPolicy, text: str, action: str) -> PlannerStep:
    features = HashingFeaturizer(SMALL).featurize([{"role": "user", "content": text}])
    return PlannerStep(features, np.ones(len(policy.actions), bool), policy.action_index(action))


def test_update_moves_probability_towards_positive_advantage() -> None:
    policy = LinearSoftmaxPolicy(SMALL)
    good = _step(policy, "I never made this purchase", "fraud")
    bad = _step(policy, "I never made this purchase", "transactions")
    before = policy.probabilities(good.features, good.allowed)
    untouched_rows = np.setdiff1d(np.arange(SMALL.n_buckets), good.features.indices)
    policy_gradient_update(policy, [([good], 1.0), ([bad], -1.0)], learning_rate=1.0)
    after = policy.probabilities(good.features, good.allowed)
    assert after[good.action] > before[good.action]
    assert after[bad.action] < before[bad.action]
    assert not policy.weights[untouched_rows].any(), "sparse: rows of inactive features stay unchanged"


def test_masked_actions_get_no_gradient() -> None:
    policy = LinearSoftmaxPolicy(SMALL)
    step = _step(policy, "close my account", "account_closure")
    allowed = np.array([not a.startswith("ask:") for a in policy.actions])
    step = PlannerStep(step.features, allowed, step.action)
    policy_gradient_update(policy, [([step], 1.0)], learning_rate=1.0)
    asks = [i for i, a in enumerate(policy.actions) if a.startswith("ask:")]
    assert not policy.weights[:, asks].any()
    assert not policy.bias[asks].any()


def _config(tmp_path: Path, **overrides: object) -> BuiltinTrainConfig:
    values: dict[str, object] = {
        "steps": 8,
        "groups_per_step": 8,
        "rollouts_per_group": 4,
        "generated_count": 150,
        "seed": 3,
        "val_every": 4,
        "val_limit": 40,
        "test_limit": 40,
        "featurizer": SMALL,
        "output_dir": tmp_path,
        # RL alone, so the reward's rise is the policy gradient's doing; no check set, to stay fast.
        "warm_start": "none",
        "check_set": None,
        "corpus_files": [],
    }
    values.update(overrides)
    return BuiltinTrainConfig.model_validate(values)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, list[TrainProgress]]:
    seen: list[TrainProgress] = []
    report = train_builtin(_config(tmp_path_factory.mktemp("run_a")), progress=seen.append)
    return report, seen


def test_training_is_reproducible_by_seed(trained: tuple, tmp_path: Path) -> None:
    report, _ = trained
    again = train_builtin(_config(tmp_path))
    assert again.policy_sha256 == report.policy_sha256
    other = train_builtin(_config(tmp_path / "other", seed=4, output_dir=tmp_path / "other"))
    assert other.policy_sha256 != report.policy_sha256


def test_reward_rises_over_a_few_steps(trained: tuple) -> None:
    report, seen = trained
    assert [p.step for p in seen] == list(range(1, 9))
    rewards = [p.train_reward for p in seen]
    assert np.mean(rewards[-3:]) > np.mean(rewards[:3])
    assert report.final_val.mean_reward > report.initial_val.mean_reward


def test_outputs_checkpoints_and_curve(trained: tuple) -> None:
    report, _ = trained
    curve = read_curve_csv(report.curve_csv)
    assert [p.step for p in curve] == list(range(0, 9))
    assert curve[0].val_route_accuracy == pytest.approx(report.initial_val.route_accuracy)
    assert report.curve_png.stat().st_size > 1000
    latest = load_builtin_planner(report.latest_checkpoint)
    assert latest.policy.digest() == report.policy_sha256
    assert load_builtin_planner(report.best_checkpoint).policy.featurizer == SMALL


def test_warm_start_is_reported_apart_from_rl(tmp_path: Path) -> None:
    report = train_builtin(_config(tmp_path, steps=2, val_every=2, warm_start="labels"))
    curve = read_curve_csv(report.curve_csv)
    assert [(p.step, p.phase) for p in curve[:3]] == [(0, "untrained"), (0, "warm_start"), (1, "rl")]
    assert report.warm_start_val is not None
    assert curve[1].val_route_accuracy == pytest.approx(report.warm_start_val.route_accuracy)
    # Imitating the labels already beats the untrained policy before any RL step.
    assert report.warm_start_val.route_accuracy > report.initial_val.route_accuracy


def _tiny(tmp_path: Path, **overrides: object) -> BuiltinTrainConfig:
    values: dict[str, object] = {"steps": 1, "groups_per_step": 2, "rollouts_per_group": 2, "val_every": 1}
    return _config(tmp_path, **(values | {"val_limit": 5, "test_limit": 5} | overrides))


def _llm(server: FakeOpenAIServer) -> ModelSpec:
    return ModelSpec(kind="openai", model="fake", base_url=server.base_url, max_retries=0, timeout_s=5)


def test_rollouts_are_played_with_the_configured_customer(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=lambda body: ScriptedReply(text="Thanks, that is all.")) as server:
        report = train_builtin(_tiny(tmp_path, customer=_llm(server)))
        asked = len(server.requests)
    assert report.episodes == 4
    assert asked > 0, "the customer was the LLM, not the scripted simulator"
    assert report.config.helper == ModelSpec(kind="scripted")


def test_a_failing_customer_stops_training_with_one_clear_error(tmp_path: Path) -> None:
    with (
        FakeOpenAIServer(responder=lambda body: ScriptedReply(status=500, error_message="down")) as server,
        pytest.raises(RunAbortedError, match=r"built-in training stopped \(builtin:eval episodes\): stopped after"),
    ):
        train_builtin(_tiny(tmp_path, customer=_llm(server), val_limit=30))


def test_a_malformed_scenario_file_names_its_line(tmp_path: Path) -> None:
    scenarios = generate_scenarios(GenerationConfig(count=3, seed=5))
    path = tmp_path / "bad.jsonl"
    path.write_text(f"{dumps_scenario(scenarios[0])}\n{dumps_scenario(scenarios[1])[:-9]}\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError, match=r"bad\.jsonl, line 2: malformed JSON"):
        train_builtin(_tiny(tmp_path, scenario_files=[path]))


def test_scenario_files_take_full_and_minimal_records(tmp_path: Path) -> None:
    full = generate_scenarios(GenerationConfig(count=4, seed=5))
    write_scenarios(tmp_path / "full.jsonl", full)
    (tmp_path / "mine.csv").write_text(
        "id,opening_message,expected_route,needs_human,split\nm1,my card got declined at the store,card_services,no,"
        "train\n",
        encoding="utf-8",
    )
    config = _tiny(tmp_path, scenario_files=[tmp_path / "full.jsonl", tmp_path / "mine.csv"])
    loaded = load_training_scenarios(config)
    assert [dumps_scenario(s) for s in loaded[:4]] == [dumps_scenario(s) for s in full]
    assert (loaded[4].id, loaded[4].split, loaded[4].opening_message) == (
        "m1",
        Split.TRAIN,
        "my card got declined at the store",
    )


def test_a_corpus_joins_the_training_split_only(tmp_path: Path) -> None:
    (tmp_path / "corpus.csv").write_text(
        "id,opening_message,expected_route,needs_human,split\n"
        "c1,my card got declined at the store,card_services,no,test\n"
        "c2,a charge from a shop i never heard of,fraud,yes,val\n",
        encoding="utf-8",
    )
    alone = training_splits(_config(tmp_path))
    train, val, test = training_splits(_config(tmp_path, corpus_files=[tmp_path / "corpus.csv"]))
    assert [s.id for s in train] == [s.id for s in alone[0]] + ["c1", "c2"]
    assert {s.split for s in train} == {Split.TRAIN}
    assert ([s.id for s in val], [s.id for s in test]) == ([s.id for s in alone[1]], [s.id for s in alone[2]])


def test_the_default_corpus_is_the_studied_check_sets_and_never_a_measuring_one() -> None:
    names = {path.name for path in BuiltinTrainConfig().corpus_files}
    assert names == {path.name for path in studied_corpus()} and "registers_v4.jsonl" in names
    assert "realistic.jsonl" not in names  # the dev check set the training report measures on
    assert not any(name.startswith("injections_") for name in names)


async def test_the_label_warm_start_teaches_the_route_after_the_customers_answer(tmp_path: Path) -> None:
    config = _config(tmp_path, generated_count=200)
    hard = [s for s in load_training_scenarios(config) if s.clarification_needed][:6]
    assert hard, "the generator makes hard scenarios"
    policy = LinearSoftmaxPolicy(SMALL)
    steps = await answer_steps(policy, HashingFeaturizer(SMALL), hard, config)
    # One step per hard scenario: the labelled route, decided after the question was asked and answered.
    assert [policy.actions[s.action] for s in steps] == [s.expected_route.value for s in hard]
    first = label_steps(policy, HashingFeaturizer(SMALL), hard, config.max_questions)
    assert all(policy.actions[s.action].startswith("ask:") for s in first)
    assert not any(np.array_equal(a.features.indices, b.features.indices) for a, b in zip(first, steps, strict=True))


def test_the_label_anchor_changes_rl_updates_only_when_on(tmp_path: Path) -> None:
    def digest(anchor: float, folder: str) -> str:
        overrides = {"warm_start": "labels", "label_anchor": anchor, "output_dir": tmp_path / folder}
        return train_builtin(_tiny(tmp_path / folder, **overrides)).policy_sha256

    assert digest(0.0, "off") != digest(0.5, "on")


async def test_the_rules_or_labels_warm_start_keeps_the_rules_right_and_corrects_them_where_wrong(
    tmp_path: Path,
) -> None:
    from ccsim.training.builtin_train import rules_or_label_steps

    config = _config(tmp_path, generated_count=200, featurizer=PRIOR, correction_repeats=3)
    scenarios = load_training_scenarios(config)[:60]
    policy = LinearSoftmaxPolicy(PRIOR)
    steps = await rules_or_label_steps(policy, HashingFeaturizer(PRIOR), scenarios, config)
    routes = [policy.actions[s.action] for s in steps if not policy.actions[s.action].startswith("ask:")]
    assert set(routes) <= {s.expected_route.value for s in scenarios}
    # A fresh policy with the prior already takes every rules decision kept here, except the corrections.
    fresh_agrees = [policy.greedy(s.features, s.allowed) == s.action for s in steps]
    corrections = fresh_agrees.count(False)
    assert corrections % 3 == 0, "each correction enters correction_repeats times"
    assert sum(fresh_agrees) > corrections


def _prior_steps() -> list[PlannerStep]:
    featurizer = HashingFeaturizer(PRIOR)
    openings = ["I don't recognise a charge on my card", "I lost my card yesterday", "can I raise my limit?"]
    allowed = np.ones(len(LinearSoftmaxPolicy(PRIOR).actions), dtype=bool)
    return [
        PlannerStep(featurizer.featurize([{"role": "user", "content": text}]), allowed, 0) for text in openings * 20
    ]


def test_prior_dropout_zeroes_the_prior_block_of_some_examples_and_is_seeded() -> None:
    config = BuiltinTrainConfig(featurizer=PRIOR, prior_dropout=0.5, prior_dropout_lexicon=False, seed=7)
    ((start, stop),) = prior_block_ranges(config)

    def in_block(s: PlannerStep) -> bool:
        return bool(((s.features.indices >= start) & (s.features.indices < stop)).any())

    steps = _prior_steps()
    assert all(in_block(s) for s in steps)  # every opening carries the rules' move
    first = PriorDropout.from_config(config, 4).apply(steps)
    dropped = [not in_block(s) for s in first]
    assert 10 < sum(dropped) < 50  # about half, not none and not all
    for original, out, d in zip(steps, first, dropped, strict=True):
        outside = original.features.indices[(original.features.indices < start) | (original.features.indices >= stop)]
        # Only the block goes: the n-grams and the lexicon stay, values and all.
        assert np.array_equal(out.features.indices, outside if d else original.features.indices)
    again = PriorDropout.from_config(config, 4).apply(steps)
    assert [not in_block(s) for s in again] == dropped  # same seed, same draw
    other = PriorDropout.from_config(config.model_copy(update={"seed": 8}), 4).apply(steps)
    assert [not in_block(s) for s in other] != dropped
    assert PriorDropout.from_config(config.model_copy(update={"prior_dropout": 0.0}), 4) is None
    with_lexicon = config.model_copy(update={"prior_dropout_lexicon": True})
    assert len(prior_block_ranges(with_lexicon)) == 2
    assert prior_block_ranges(config.model_copy(update={"featurizer": SMALL})) == []
    # The default drops both blocks on half the examples (measured on three seeds: docs/drafts).
    defaults = BuiltinTrainConfig()
    assert defaults.prior_dropout == 0.9 and defaults.prior_dropout_lexicon
