"""`switchyard eval` once with a real model: SmolLM2-135M-Instruct (llama.cpp's server behind a
`--backend process` worker) answers two seed questions under two names and judges them itself.
A 135M judge is weak, so this asserts that every stage ran for real and wrote its files and that
the count of unparseable verdicts is reported — not what the verdicts are.
"""
import json
import os
import shlex
import subprocess

import openai
import pytest

from conftest import BINARY, ROOT
from test_real_model import Daemon, answers, llama_server_command, wait_until, warm_up

MODELS = ("smollm2", "smollm2-twin")  # one llama.cpp server answers under both names
QUESTION_IDS = (1, 8)  # a writing question, and a math one with a reference


@pytest.fixture(scope="module")
def gateway():
    controller = Daemon("eval-controller", [BINARY, "controller", "--port", "0", "--gateway-port", "0"])
    controller_url, gateway_url = controller.urls("controller", "gateway")
    worker = Daemon("eval-process-worker", [
        BINARY, "worker", "--port", "0", "--controller", controller_url, "--heart-beat-interval", "1",
        "--model-names", ",".join(MODELS), "--backend", "process", "--command", shlex.join(llama_server_command("{port}"))])
    try:
        [address] = worker.urls("worker")
        wait_until("the model server behind the worker answers", lambda: answers(address + "/health"))
        client = openai.OpenAI(base_url=gateway_url + "/v1", api_key="EMPTY", max_retries=0)
        for model in MODELS:
            wait_until(f"the gateway routes {model}", lambda: warm_up(client, model), timeout=60)
        yield gateway_url
    finally:
        worker.stop()
        controller.stop()


def run(*arguments: str) -> subprocess.CompletedProcess:
    result = subprocess.run([BINARY, "eval", *arguments], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_whole_pipeline_with_smollm2(gateway, tmp_path):
    questions = tmp_path / "questions.jsonl"
    seeds = (ROOT / "seeds" / "mt-bench-questions.jsonl").read_text().splitlines()
    questions.write_text("\n".join(line for line in seeds if json.loads(line)["question_id"] in QUESTION_IDS) + "\n")
    directory = tmp_path / "eval"
    common = ["--gateway", gateway, "--output", str(directory), "--concurrency", "2"]

    answered = run("answer", "--questions", str(questions), "--models", ",".join(MODELS), "--max-tokens", "48", *common)
    assert "4 written, 0 already there, 0 failed" in answered.stdout
    for model in MODELS:
        records = lines(directory / "model_answer" / f"{model}.jsonl")
        assert sorted(record["question_id"] for record in records) == list(QUESTION_IDS)
        assert all(len(record["choices"][0]["turns"]) == 2 for record in records)

    single = run("judge", "--judge", MODELS[0], "--mode", "single", "--max-tokens", "96", *common)
    assert "8 written" in single.stdout and "unparseable" in single.stdout
    judgments = lines(directory / "model_judgment" / f"{MODELS[0]}_single.jsonl")
    assert len(judgments) == 8
    assert all(judgment["score"] == -1 or 1 <= judgment["score"] <= 10 for judgment in judgments)

    pairwise = run("judge", "--judge", MODELS[0], "--mode", "pairwise-all", "--max-tokens", "96", *common)
    assert "4 written" in pairwise.stdout
    pairs = lines(directory / "model_judgment" / f"{MODELS[0]}_pair.jsonl")
    assert len(pairs) == 4
    assert all({pair["g1_winner"], pair["g2_winner"]} <= {"model_1", "model_2", "tie", "error"} for pair in pairs)

    for mode in ("single", "pairwise-all"):
        report = json.loads(run("report", "--mode", mode, "--output", str(directory), "--json").stdout)
        errors = sum(j["score"] == -1 for j in judgments) if mode == "single" else \
            sum((p["g1_winner"] == "error") + (p["g2_winner"] == "error") for p in pairs)
        assert report["unparseable"] == errors
        assert "unparseable verdict" in run("report", "--mode", mode, "--output", str(directory)).stdout
        assert (directory / f"{mode}-{MODELS[0]}.svg").exists()
