"""Benchmark: train the built-in planner from scratch on generated scenarios and report time, throughput,
peak memory, accuracy on the generated test split, clarification behaviour and the held-out check set of customer words.

    .venv/bin/python benchmarks/builtin_training.py                      # the defaults of BuiltinTrainConfig
    .venv/bin/python benchmarks/builtin_training.py --steps 60 --warm-start labels --out runs/builtin-bench
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from pathlib import Path

from ccsim.agents.policies.featurizer import EncoderFeaturizerConfig, HashingFeaturizerConfig
from ccsim.agents.policies.rules import RulesPlanner
from ccsim.contact_center.models import Scenario
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios, split_for
from ccsim.scenarios.io import write_scenarios
from ccsim.training.builtin_train import (
    BuiltinTrainConfig,
    BuiltinTrainReport,
    EvalResult,
    TrainProgress,
    evaluate_planner,
    train_builtin,
    training_splits,
)


def _parse(argv: list[str]) -> BuiltinTrainConfig:
    defaults = BuiltinTrainConfig()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=defaults.steps)
    parser.add_argument("--groups", type=int, default=defaults.groups_per_step)
    parser.add_argument("--rollouts", type=int, default=defaults.rollouts_per_group)
    parser.add_argument("--lr", type=float, default=defaults.learning_rate)
    parser.add_argument("--count", type=int, default=defaults.generated_count, help="generated scenarios")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--val-every", type=int, default=defaults.val_every)
    parser.add_argument(
        "--warm-start", choices=["none", "labels", "rules", "rules_or_labels"], default=defaults.warm_start
    )
    parser.add_argument("--featurizer", choices=["hashing", "encoder"], default=defaults.featurizer.kind)
    parser.add_argument("--no-lexicon", action="store_true", help="drop the lexicon feature block")
    parser.add_argument("--no-rules-prior", action="store_true", help="drop the rules planner's decision block")
    parser.add_argument(
        "--no-strip-ignored", action="store_true", help="featurize the raw text, injected instructions included"
    )
    parser.add_argument("--model", default="all-MiniLM-L6-v2", help="encoder: packaged name or a model folder")
    parser.add_argument("--repeats", type=int, default=defaults.correction_repeats, help="correction_repeats")
    parser.add_argument("--epochs", type=int, default=defaults.warm_start_epochs, help="warm_start_epochs")
    parser.add_argument("--prior-logit", type=float, default=defaults.rules_prior_logit, help="rules_prior_logit")
    parser.add_argument(
        "--prior-dropout",
        type=float,
        default=defaults.prior_dropout,
        help="prior_dropout: share of training examples whose rules prior block is zeroed",
    )
    parser.add_argument(
        "--dropout-lexicon",
        action=argparse.BooleanOptionalAction,
        default=defaults.prior_dropout_lexicon,
        help="prior_dropout_lexicon: zero the lexicon block too",
    )
    parser.add_argument("--anchor", type=float, default=defaults.label_anchor, help="label_anchor")
    parser.add_argument("--check-set", type=Path, default=defaults.check_set)
    parser.add_argument(
        "--template-split",
        action="store_true",
        help="val and test only hold wordings (templates) that train never saw: a dev measure of generalisation",
    )
    parser.add_argument(
        "--scenarios",
        type=Path,
        action="append",
        default=[],
        help="train on this scenario file instead of generating (repeatable): the same scenarios for every option "
        "compared, while the generator itself changes",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        default=None,
        help="corpus_files: labelled customer utterances added to the training split (repeatable; default: the "
        "config's)",
    )
    parser.add_argument("--out", type=Path, default=Path("runs/builtin-benchmark"))
    args = parser.parse_args(argv)
    files = [unseen_template_split(args.count, args.seed, args.out)] if args.template_split else args.scenarios
    blocks = {"lexicon": not args.no_lexicon, "rules_prior": not args.no_rules_prior}
    blocks["strip_ignored"] = not args.no_strip_ignored
    featurizer: HashingFeaturizerConfig | EncoderFeaturizerConfig = (
        EncoderFeaturizerConfig(model=args.model, **blocks)
        if args.featurizer == "encoder"
        else HashingFeaturizerConfig(**blocks)
    )
    return BuiltinTrainConfig(
        steps=args.steps,
        groups_per_step=args.groups,
        rollouts_per_group=args.rollouts,
        learning_rate=args.lr,
        generated_count=args.count,
        scenario_files=files,
        seed=args.seed,
        val_every=args.val_every,
        warm_start=args.warm_start,
        warm_start_epochs=args.epochs,
        correction_repeats=args.repeats,
        label_anchor=args.anchor,
        rules_prior_logit=args.prior_logit,
        prior_dropout=args.prior_dropout,
        prior_dropout_lexicon=args.dropout_lexicon,
        featurizer=featurizer,
        check_set=args.check_set,
        output_dir=args.out,
        **({} if args.corpus is None else {"corpus_files": args.corpus}),
    )


def template_key(scenario: Scenario) -> str:
    """The wording a scenario was written from; a family template counts once across the intents that share it."""
    template = scenario.template_id or scenario.id
    return template.split(".family.", 1)[1] if ".family." in template else template


def unseen_template_split(count: int, seed: int, out: Path) -> Path:
    """Generated scenarios re-split 80/10/10 by a stable hash of their template, written to a scenario file."""
    scenarios = generate_scenarios(GenerationConfig(count=count, seed=seed))
    resplit = [s.model_copy(update={"split": split_for(template_key(s))}) for s in scenarios]
    out.mkdir(parents=True, exist_ok=True)
    path = out / "template_split.jsonl"
    write_scenarios(path, resplit)
    return path


def _eval_line(name: str, result: EvalResult | None) -> str:
    if result is None:
        return f"{name:<22} -"
    needed = "-" if result.asked_when_needed is None else f"{result.asked_when_needed:.3f}"
    not_needed = "-" if result.asked_when_not_needed is None else f"{result.asked_when_not_needed:.3f}"
    turns = "" if result.planner_calls_easy is None else f"planner_calls|easy={result.planner_calls_easy:.2f}"
    return (
        f"{name:<22} route_acc={result.route_accuracy:.3f}  reward={result.mean_reward:.3f}  "
        f"asked|needed={needed}  asked|not_needed={not_needed}  {turns}  (n={result.scenarios})"
    )


def rules_on_test(config: BuiltinTrainConfig) -> EvalResult | None:
    """The rules planner on the same test split, through the same runner: the baseline for turns on easy ones."""
    # (without the corpus: it joins the training split only, and importing it is all this would add)
    _, _, test = training_splits(config.model_copy(update={"corpus_files": []}))
    if not test:
        return None
    return asyncio.run(evaluate_planner(RulesPlanner(), test, config, label="rules"))


def print_report(
    report: BuiltinTrainReport, wall_s: float, peak_rss_mib: float, rules: EvalResult | None = None
) -> None:
    print()
    print(f"training time (RL loop, validation included): {report.train_seconds:.1f} s")
    print(f"warm start ({report.config.warm_start}): {report.warm_start_seconds:.1f} s")
    print(f"wall time, everything (generation, evals, test): {wall_s:.1f} s")
    print(f"episodes: {report.episodes}  ->  {report.episodes_per_second:.1f} episodes/s during training")
    print(f"peak memory (max RSS): {peak_rss_mib:.0f} MiB")
    print(_eval_line("val before training", report.initial_val))
    print(_eval_line("val after warm start", report.warm_start_val))
    print(_eval_line(f"val best (step {report.best_step})", report.best_val))
    print(_eval_line("test (best checkpoint)", report.test))
    print(_eval_line("test, rules planner", rules))
    if report.check_set is not None:
        c = report.check_set
        print(
            f"check set {c.path} (n={c.scenarios}, skipped {c.skipped_records}): "
            f"first-decision route_acc={c.first_decision_route_accuracy:.3f}  "
            f"first-decision asked={c.first_decision_asked:.3f}  final route_acc={c.route_accuracy:.3f}"
        )
    print(f"checkpoints: {report.best_checkpoint} {report.latest_checkpoint}")
    print(f"learning curve: {report.curve_csv} {report.curve_png}")


def main(argv: list[str] | None = None) -> int:
    config = _parse(sys.argv[1:] if argv is None else argv)

    def progress(p: TrainProgress) -> None:
        val = "" if p.val_route_accuracy is None else f"  val_acc={p.val_route_accuracy:.3f}"
        print(f"step {p.step:>4}/{p.steps}  {p.elapsed_s:7.1f}s  reward={p.train_reward:.3f}{val}", flush=True)

    started = time.perf_counter()
    report = train_builtin(config, progress=progress)
    wall = time.perf_counter() - started
    # ru_maxrss is KiB on Linux: the peak of the whole process, numpy arrays included (tracemalloc misses those).
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print_report(report, wall, peak_mib, rules_on_test(config))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
