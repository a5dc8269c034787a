"""The featurizer: deterministic, stable across processes, and sensitive to the conversation state."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from ccsim.agents.policies.featurizer import (
    HashingFeaturizer,
    HashingFeaturizerConfig,
    conversation_state,
    stable_hash,
    tokenize,
)
from ccsim.agents.questions import ClarifyingQuestion, question_text

OPENING = "Hi, there's a $42.10 charge from ACME*DIGITAL on my card and I don't know what it is"


def _ask(question: ClarifyingQuestion) -> dict[str, object]:
    return {"role": "assistant", "content": question_text(question)}


def _delegate(agent: str) -> dict[str, object]:
    arguments = json.dumps({"agent": agent, "task": "help"})
    call = {"id": "c1", "type": "function", "function": {"name": "delegate", "arguments": arguments}}
    return {"role": "assistant", "content": None, "tool_calls": [call]}


def test_same_conversation_gives_identical_vector() -> None:
    featurizer = HashingFeaturizer(HashingFeaturizerConfig(n_buckets=2**16))
    view = [{"role": "system", "content": "policy"}, {"role": "user", "content": OPENING}]
    a, b = featurizer.featurize(view), featurizer.featurize(list(view))
    assert np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.values, b.values)
    assert np.all(np.diff(a.indices) > 0), "indices are sorted and unique"
    assert a.indices.max() < featurizer.config.dim


def test_hash_is_stable_across_processes() -> None:
    # Python's hash() is salted per process; crc32 is not. A child process with another hash seed must agree.
    code = (
        "from ccsim.agents.policies.featurizer import HashingFeaturizer, stable_hash;"
        f"v = HashingFeaturizer().featurize([{{'role': 'user', 'content': {OPENING!r}}}]);"
        "print(stable_hash('lw:charge'), v.indices[:20].tolist(), round(float(v.values.sum()), 5))"
    )
    env = {"PYTHONHASHSEED": "12345"}
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    here = HashingFeaturizer().featurize([{"role": "user", "content": OPENING}])
    expected = f"{stable_hash('lw:charge')} {here.indices[:20].tolist()} {round(float(here.values.sum()), 5)}"
    assert child.stdout.strip() == expected


def test_the_lexicon_block_reads_the_lexicon_not_the_rules_planner() -> None:
    # The built-in planner's features must not depend on (or pay the import of) the rules planner.
    code = (
        "import sys; from ccsim.agents.policies.featurizer import HashingFeaturizer;"
        f"HashingFeaturizer().featurize([{{'role': 'user', 'content': {OPENING!r}}}]);"
        "print(sorted(m for m in sys.modules if m.startswith(('ccsim.agents.policies', 'ccsim.agents.lexicon'))))"
    )
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(child.stdout.replace("'", '"'))
    assert "ccsim.agents.lexicon.evidence" in loaded
    assert not {"ccsim.agents.policies.rules", "ccsim.agents.policies.decision_messages"} & set(loaded)


def test_tokenize_keeps_negated_contractions() -> None:
    assert tokenize("No, I DON’T recognise it!") == ["no", "i", "don't", "recognise", "it"]


def test_answer_to_a_question_is_featurized_in_its_context() -> None:
    featurizer = HashingFeaturizer()
    opening = {"role": "user", "content": OPENING}
    answer = {"role": "user", "content": "no"}
    after_merchant = featurizer.featurize([opening, _ask(ClarifyingQuestion.RECOGNIZE_MERCHANT), answer])
    after_payment = featurizer.featurize([opening, _ask(ClarifyingQuestion.PAYMENT_TROUBLE), answer])
    assert not np.array_equal(after_merchant.indices, after_payment.indices)


def test_conversation_state_reads_questions_routes_and_helper_answers() -> None:
    view = [
        {"role": "system", "content": "policy"},
        {"role": "user", "content": OPENING},
        _ask(ClarifyingQuestion.RECOGNIZE_MERCHANT),
        {"role": "user", "content": "never heard of them"},
        _delegate("transactions"),
        {"role": "tool", "tool_call_id": "c1", "content": "That charge is your streaming subscription."},
        {"role": "user", "content": "oh ok, also what's my balance"},
    ]
    state = conversation_state(view)
    assert state.customer_turns == (OPENING, "never heard of them", "oh ok, also what's my balance")
    assert state.questions_asked == (ClarifyingQuestion.RECOGNIZE_MERCHANT,)
    assert state.answered_question is None, "the latest turn follows a helper answer, not a question"
    assert state.helper_answered
    assert [r.value for r in state.routes_taken] == ["transactions"]
    assert conversation_state(view[:4]).answered_question is ClarifyingQuestion.RECOGNIZE_MERCHANT


def test_tool_errors_are_not_helper_answers() -> None:
    view = [
        {"role": "user", "content": OPENING},
        _delegate("fraud"),
        {"role": "tool", "tool_call_id": "c1", "content": "delegate: 'fraud' is a human department; call ..."},
    ]
    assert not conversation_state(view).helper_answered


def test_lexicon_block_reads_hand_written_vocabulary() -> None:
    from ccsim.agents.policies.featurizer import LEXICON_DIM, lexicon_features
    from ccsim.contact_center.taxonomy import Route

    config = HashingFeaturizerConfig(n_buckets=2**12)
    assert config.dim == 2**12 + LEXICON_DIM
    assert HashingFeaturizerConfig(n_buckets=2**12, lexicon=False).dim == 2**12
    routes = list(Route)
    scope = LEXICON_DIM // 3
    opening = lexicon_features(conversation_state([{"role": "user", "content": "I want to close my account"}]))
    # The router's pick is one-hot after the 8 relative scores, in the "latest turn opens" slot.
    assert opening[len(routes) + routes.index(Route.ACCOUNT_CLOSURE)] == 1.0
    assert not opening[scope : 2 * scope].any(), "the answer slot is empty when nothing was asked"
    answered = [
        {"role": "user", "content": OPENING},
        _ask(ClarifyingQuestion.RECOGNIZE_MERCHANT),
        {"role": "user", "content": "no, I don't recognise it, I never made that purchase"},
    ]
    after = lexicon_features(conversation_state(answered))
    assert not after[:scope].any() and after[scope : 2 * scope].any(), "an answer goes to its own slot"
    assert after[scope + len(routes) + routes.index(Route.FRAUD)] == 1.0
    # The featurizer places the block after the hashed buckets, and only when it is on.
    with_lexicon = HashingFeaturizer(config).featurize(answered)
    without = HashingFeaturizer(HashingFeaturizerConfig(n_buckets=2**12, lexicon=False)).featurize(answered)
    assert with_lexicon.indices.max() >= 2**12 > without.indices.max()
