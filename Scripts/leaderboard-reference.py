#!/usr/bin/env python3
"""Reference numbers for the Swift `Leaderboard` module, computed the way FastChat does.

Writes two files that `Tests/LeaderboardTests/FastChatReferenceTests.swift` reads:

  seeds/arena-battles.jsonl    20 000 synthetic battles over 8 models in FastChat's cleaned
                               battle format (ties and "tie (bothbad)" included; lines shuffled,
                               so both sides must sort by tstamp; extra keys the importer ignores)
  seeds/arena-reference.json   Bradley-Terry ratings (plain, and anchored at
                               mixtral-8x7b-instruct-v0.1 = 1114) and the online Elo

The maths follows FastChat's `fastchat/serve/monitor/rating_systems.py` (`preprocess_for_bt`,
`bt_loss_and_grad`, `fit_bt`, `scale_and_offset`) and `elo_analysis.py` (`compute_elo`), rewritten
here with NumPy only; see docs section 6.3 of the FastChat protocol notes. It is not run by CI.

Rerun (from the repository root; output is deterministic for a given NumPy/SciPy):

    python3 -m venv /tmp/lbref && /tmp/lbref/bin/pip install numpy scipy
    /tmp/lbref/bin/python Scripts/leaderboard-reference.py
"""

import json
import math
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

SEED = 20240814
BATTLES = 20_000
# True strengths on the arena scale; one model carries FastChat's anchor name.
TRUE_RATINGS = {
    "gpt-4-turbo": 1255.0,
    "claude-3-opus": 1240.0,
    "llama-3-70b-instruct": 1200.0,
    "mixtral-8x7b-instruct-v0.1": 1114.0,
    "gemma-7b-it": 1040.0,
    "vicuna-13b": 1000.0,
    "alpaca-13b": 900.0,
    "dolly-v2-12b": 820.0,
}
# Relative chance of being drawn into a battle, so pairs are unevenly covered as in the arena.
SAMPLING_WEIGHTS = [4.0, 4.0, 2.0, 4.0, 1.5, 1.0, 1.0, 0.5]
TIE_RATE = 0.3
ANCHOR = ("mixtral-8x7b-instruct-v0.1", 1114.0)

ROOT = Path(__file__).resolve().parent.parent
BATTLES_PATH = ROOT / "seeds" / "arena-battles.jsonl"
REFERENCE_PATH = ROOT / "seeds" / "arena-reference.json"


def generate(rng):
    """Battles whose expected score for A is the Bradley-Terry probability, ties included."""
    names = list(TRUE_RATINGS)
    strengths = np.array([TRUE_RATINGS[n] for n in names])
    weights = np.array(SAMPLING_WEIGHTS) / sum(SAMPLING_WEIGHTS)
    records = []
    for i in range(BATTLES):
        a, b = rng.choice(len(names), size=2, replace=False, p=weights)
        p = 1.0 / (1.0 + 10.0 ** ((strengths[b] - strengths[a]) / 400.0))
        tie = TIE_RATE * 2.0 * min(p, 1.0 - p)
        u = rng.random()
        if u < p - tie / 2:
            winner = "model_a"
        elif u < p - tie / 6:
            winner = "tie (bothbad)"
        elif u < p + tie / 2:
            winner = "tie"
        else:
            winner = "model_b"
        record = {
            "model_a": names[a],
            "model_b": names[b],
            "winner": winner,
            # Unique, so FastChat's unstable pandas sort and a stable sort agree.
            "tstamp": round(1_700_000_000.0 + i * 7.25 + rng.random(), 4),
            "anony": True,
        }
        # FastChat's optional fields on some lines and unknown ones on a few, kept sparse so the
        # file stays small; the importer must accept both.
        if i % 10 == 0:
            record.update(question_id=f"{i:08x}", judge=f"arena_user_{i % 97}", turn=1 + i % 3, language="English")
        if i % 100 == 0:
            record.update(is_code=i % 200 == 0, conv_metadata={"sum_assistant_a_tokens": 100 + i % 800})
        records.append(record)
    order = rng.permutation(len(records))
    return [records[i] for i in order]


def preprocess_for_bt(battles):
    """FastChat's collapse: unique (a, b, outcome) rows, outcome 2 = A wins, 1 = tie, 0 = B wins."""
    models = []
    index = {}
    for column in ("model_a", "model_b"):  # pd.factorize(pd.concat([model_a, model_b]))
        for battle in battles:
            if battle[column] not in index:
                index[battle[column]] = len(models)
                models.append(battle[column])
    schedule = np.full((len(battles), 3), fill_value=1, dtype=np.int32)
    for row, battle in enumerate(battles):
        schedule[row, 0] = index[battle["model_a"]]
        schedule[row, 1] = index[battle["model_b"]]
        if battle["winner"] == "model_a":
            schedule[row, 2] = 2
        elif battle["winner"] == "model_b":
            schedule[row, 2] = 0
    matchups_outcomes, weights = np.unique(schedule, return_counts=True, axis=0)
    matchups = matchups_outcomes[:, [0, 1]]
    outcomes = matchups_outcomes[:, 2].astype(np.float64) / 2.0
    return matchups, outcomes, models, weights.astype(np.float64)


def bt_loss_and_grad(ratings, matchups, outcomes, weights, alpha=1.0):
    matchup_ratings = ratings[matchups]
    logits = alpha * (matchup_ratings[:, 0] - matchup_ratings[:, 1])
    probs = 1.0 / (1.0 + np.exp(-logits))  # scipy.special.expit
    loss = -((np.log(probs) * outcomes + np.log(1.0 - probs) * (1.0 - outcomes)) * weights).sum()
    matchups_grads = -alpha * (outcomes - probs) * weights
    model_grad = np.zeros_like(ratings)
    np.add.at(model_grad, matchups[:, [0, 1]], matchups_grads[:, None] * np.array([1.0, -1.0]))
    return loss, model_grad


def fit_bt(matchups, outcomes, weights, n_models, alpha, tol=1e-6):
    result = minimize(
        fun=bt_loss_and_grad,
        x0=np.zeros(n_models, dtype=np.float64),
        args=(matchups, outcomes, weights, alpha),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 100, "gtol": tol},  # FastChat also passes disp=False (deprecated)
    )
    return result


def scale_and_offset(ratings, models, scale=400, init_rating=1000, baseline=None):
    scaled = ratings * scale + init_rating
    if baseline is not None and baseline[0] in models:
        scaled += baseline[1] - scaled[models.index(baseline[0])]
    return scaled


def compute_elo(battles, k=4, scale=400, base=10, init_rating=1000):
    rating = {}
    for battle in sorted(battles, key=lambda b: b["tstamp"]):
        a, b = battle["model_a"], battle["model_b"]
        ra = rating.get(a, init_rating)
        rb = rating.get(b, init_rating)
        ea = 1 / (1 + base ** ((rb - ra) / scale))
        eb = 1 / (1 + base ** ((ra - rb) / scale))
        sa = {"model_a": 1, "model_b": 0, "tie": 0.5, "tie (bothbad)": 0.5}[battle["winner"]]
        rating[a] = ra + k * (sa - ea)
        rating[b] = rating.get(b, init_rating) + k * (1 - sa - eb)
    return rating


def main():
    rng = np.random.default_rng(SEED)
    battles = generate(rng)
    BATTLES_PATH.parent.mkdir(exist_ok=True)
    with BATTLES_PATH.open("w") as out:
        for battle in battles:
            out.write(json.dumps(battle, separators=(",", ":")) + "\n")

    matchups, outcomes, models, weights = preprocess_for_bt(battles)
    result = fit_bt(matchups, outcomes, weights, len(models), math.log(10.0))
    plain = scale_and_offset(result.x, models)
    anchored = scale_and_offset(result.x, models, baseline=ANCHOR)
    elo = compute_elo(battles)
    reference = {
        "battles": len(battles),
        "rows": int(len(weights)),
        "lbfgs": {"success": bool(result.success), "iterations": int(result.nit), "max_abs_gradient": float(np.abs(result.jac).max())},
        "anchor": {"model": ANCHOR[0], "rating": ANCHOR[1]},
        "bt_rating": {m: float(r) for m, r in zip(models, plain)},
        "bt_rating_anchored": {m: float(r) for m, r in zip(models, anchored)},
        "elo_rating_online": {m: float(r) for m, r in sorted(elo.items())},
    }
    REFERENCE_PATH.write_text(json.dumps(reference, indent=2, sort_keys=True) + "\n")
    print(f"wrote {BATTLES_PATH.relative_to(ROOT)} and {REFERENCE_PATH.relative_to(ROOT)}")
    print(json.dumps(reference["lbfgs"]))
    for m in sorted(models, key=lambda m: -reference["bt_rating_anchored"][m]):
        print(f"{m:30s} true {TRUE_RATINGS[m]:7.1f}  bt {reference['bt_rating_anchored'][m]:8.2f}  elo {elo[m]:8.2f}")


if __name__ == "__main__":
    main()
