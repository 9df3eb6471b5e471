#!/usr/bin/env python3
"""Reference numbers for the Swift leaderboard's style control, from an independent fit.

Writes two files that `Tests/LeaderboardTests/StyleControlReferenceTests.swift` reads:

  seeds/style-battles.jsonl    4 000 synthetic battles over 6 models in FastChat's cleaned battle
                               format with LMSYS's `conv_metadata` style counts; voters reward
                               length, and one weak model ("verbose-7b") answers three times longer
                               than the others, so plain Bradley-Terry overrates it
  seeds/style-reference.json   the style-controlled ratings and coefficients, and the plain
                               Bradley-Terry ratings, on the Elo scale (base 10, 400, mean 1000)

The features are LMSYS's (`preprocess_for_style` in fastchat/serve/monitor/rating_systems.py):
per battle and feature, (a - b) / (a + b + 1) of the answer token count, header count, list item
count and bold count, standardised over the battles (population standard deviation). The fit is
statsmodels' GLM (binomial family, logit link, IRLS), ties as the outcome 0.5, on the model
columns (+1 for A, -1 for B, the first model's column dropped so the rest are identified) and
the four style columns, no intercept: a different algorithm and code base from the Swift Newton
solver. The ratings are then centred to mean 0 and scaled to the Elo scale. Not run by CI.

Rerun (from the repository root; output is deterministic for a given NumPy/statsmodels):

    .venv/bin/python Scripts/style-control-reference.py
"""

import json
import math
from pathlib import Path

import numpy as np
import statsmodels.api as sm

SEED = 20250117
BATTLES = 4_000
TRUE_RATINGS = {
    "sage-70b": 1150.0,
    "atlas-34b": 1100.0,
    "verbose-7b": 1000.0,
    "brisk-13b": 1040.0,
    "plain-7b": 1000.0,
    "tiny-1b": 880.0,
}
# Mean answer tokens per model: the verbose one writes three times as much.
ANSWER_TOKENS = {
    "sage-70b": 320.0,
    "atlas-34b": 300.0,
    "verbose-7b": 900.0,
    "brisk-13b": 260.0,
    "plain-7b": 300.0,
    "tiny-1b": 220.0,
}
LENGTH_EFFECT = 1.0
TIE_RATE = 0.3

ROOT = Path(__file__).resolve().parent.parent
BATTLES_PATH = ROOT / "seeds" / "style-battles.jsonl"
REFERENCE_PATH = ROOT / "seeds" / "style-reference.json"
FEATURES = ["sum_assistant_tokens", "header_count", "list_count", "bold_count"]


def answer(rng, model):
    tokens = int(ANSWER_TOKENS[model] * rng.uniform(0.5, 1.5))
    headers = [0] * 6
    headers[int(rng.integers(0, 3))] = int(rng.integers(0, tokens // 100 + 1))
    return {
        "tokens": tokens,
        "header_count": {f"h{i + 1}": n for i, n in enumerate(headers)},
        "list_count": {
            "ordered": int(rng.integers(0, tokens // 80 + 1)),
            "unordered": int(rng.integers(0, tokens // 80 + 1)),
        },
        "bold_count": {"**": int(rng.integers(0, tokens // 80 + 1)), "__": int(rng.integers(0, 2))},
    }


def generate(rng):
    names = list(TRUE_RATINGS)
    records = []
    for i in range(BATTLES):
        a, b = rng.choice(len(names), size=2, replace=False)
        side_a, side_b = answer(rng, names[a]), answer(rng, names[b])
        ta, tb = side_a["tokens"], side_b["tokens"]
        logit = (TRUE_RATINGS[names[a]] - TRUE_RATINGS[names[b]]) * math.log(10) / 400
        logit += LENGTH_EFFECT * (ta - tb) / (ta + tb + 1)
        p = 1 / (1 + math.exp(-logit))
        tie = TIE_RATE * 2 * min(p, 1 - p)
        u = rng.random()
        winner = "model_a" if u < p - tie / 2 else "tie (bothbad)" if u < p - tie / 6 else "tie" if u < p + tie / 2 else "model_b"
        metadata = {"turns": 1}
        for suffix, side in (("a", side_a), ("b", side_b)):
            metadata[f"sum_assistant_{suffix}_tokens"] = side["tokens"]
            for feature in ("header_count", "list_count", "bold_count"):
                metadata[f"{feature}_{suffix}"] = side[feature]
        records.append({
            "model_a": names[a],
            "model_b": names[b],
            "winner": winner,
            "tstamp": 1_700_000_000.0 + i,
            "anony": True,
            "question_id": f"style-{i:05d}",
            "conv_metadata": metadata,
        })
    return records


def total(value):
    return value if isinstance(value, int) else sum(value.values())


def design(records, models):
    index = {m: i for i, m in enumerate(models)}
    n, k = len(records), len(FEATURES)
    columns = np.zeros((n, len(models)))
    style = np.zeros((n, k))
    outcome = np.zeros(n)
    for row, r in enumerate(records):
        columns[row, index[r["model_a"]]] += 1
        columns[row, index[r["model_b"]]] -= 1
        outcome[row] = 1.0 if r["winner"] == "model_a" else 0.0 if r["winner"] == "model_b" else 0.5
        meta = r["conv_metadata"]
        for j, feature in enumerate(FEATURES):
            if feature == "sum_assistant_tokens":
                a, b = meta["sum_assistant_a_tokens"], meta["sum_assistant_b_tokens"]
            else:
                a, b = total(meta[f"{feature}_a"]), total(meta[f"{feature}_b"])
            style[row, j] = (a - b) / (a + b + 1)
    style = (style - style.mean(axis=0)) / style.std(axis=0)
    return columns, style, outcome


def fit(columns, outcome, extra=None):
    """Logistic regression by statsmodels' IRLS; returns centred strengths and coefficients."""
    exog = columns[:, 1:] if extra is None else np.hstack([columns[:, 1:], extra])
    result = sm.GLM(outcome, exog, family=sm.families.Binomial()).fit(tol=1e-12, maxiter=200)
    m = columns.shape[1]
    strengths = np.concatenate([[0.0], result.params[: m - 1]])
    strengths -= strengths.mean()
    return strengths, result.params[m - 1:]


def main():
    rng = np.random.default_rng(SEED)
    records = generate(rng)
    with BATTLES_PATH.open("w") as out:
        for r in records:
            out.write(json.dumps(r, separators=(",", ":")) + "\n")
    models = sorted(TRUE_RATINGS)
    columns, style, outcome = design(records, models)
    to_elo = lambda theta: {m: float(t * 400 / math.log(10) + 1000) for m, t in zip(models, theta)}
    styled, coefficients = fit(columns, outcome, style)
    plain, _ = fit(columns, outcome)
    reference = {
        "battles": len(records),
        "style_rating": to_elo(styled),
        "coefficients": {f: float(c) for f, c in zip(FEATURES, coefficients)},
        "plain_rating": to_elo(plain),
        "true_rating": TRUE_RATINGS,
    }
    REFERENCE_PATH.write_text(json.dumps(reference, indent=2, sort_keys=True) + "\n")
    print(json.dumps(reference, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
