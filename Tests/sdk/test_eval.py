"""`switchyard eval answer | judge | report` against a real `switchyard up`: two simulated models
that answer at different lengths (8 and 40 words) and a simulated judge, whose verdicts follow
the answers' lengths (SimulatedJudge), so every figure of the report is known in advance.
FastChat's own show_result.py reads the files as a cross-check of the formats.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest

from conftest import BINARY, MODEL, RIVAL, ROOT, launch_up, stop_up

QUESTIONS = ROOT / "seeds" / "mt-bench-questions.jsonl"
BRIEF, VERBOSE, JUDGE = MODEL, "sim-verbose", RIVAL
TOKEN = "eval-registration-token"


@pytest.fixture(scope="module")
def gateway():
    process, log, urls = launch_up("eval", "--sim-ttft", "0", "--sim-output-tokens", "8", "--registration-token", TOKEN)
    worker_log = open(os.path.join(os.environ.get("TMPDIR", "/tmp"), "switchyard-sdk-eval-worker.log"), "w")
    worker = subprocess.Popen(
        [BINARY, "worker", "--port", "0", "--controller", urls["controller"], "--registration-token", TOKEN,
         "--model-names", VERBOSE, "--backend", "sim", "--sim-output-tokens", "40"],
        stdout=subprocess.DEVNULL, stderr=worker_log)
    try:
        # The gateway learns of the worker through its watch stream; wait until it routes to it.
        for _ in range(200):
            if eval_cli("answer", "--questions", str(QUESTIONS), "--models", VERBOSE, "--gateway", urls["gateway"],
                        "--output", str(pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / "switchyard-eval-probe"),
                        "--attempts", "1").returncode == 0:
                break
        else:
            pytest.fail("the gateway never routed to the sim-verbose worker")
        yield urls["gateway"]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        worker_log.close()
        stop_up(process, log)
        shutil.rmtree(pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / "switchyard-eval-probe", ignore_errors=True)


def eval_cli(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([BINARY, "eval", *arguments], capture_output=True, text=True, timeout=600)


def lines(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def answered(gateway, tmp_path_factory):
    directory = tmp_path_factory.mktemp("eval")
    result = eval_cli("answer", "--questions", str(QUESTIONS), "--models", f"{BRIEF},{VERBOSE}",
                      "--gateway", gateway, "--output", str(directory), "--concurrency", "4")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "40 written, 0 already there, 0 failed" in result.stdout
    return directory


def test_answers_in_fastchat_format(answered):
    questions = lines(QUESTIONS)
    for model, words in ((BRIEF, 8), (VERBOSE, 40)):
        answers = lines(answered / "model_answer" / f"{model}.jsonl")
        assert sorted(answer["question_id"] for answer in answers) == [q["question_id"] for q in questions]
        for answer in answers:
            assert set(answer) == {"question_id", "answer_id", "model_id", "choices", "tstamp"}
            assert answer["model_id"] == model
            [choice] = answer["choices"]
            assert choice["index"] == 0 and len(choice["turns"]) == 2
            assert all(len(turn.split()) == words for turn in choice["turns"])
    assert (answered / "question.jsonl").read_bytes() == QUESTIONS.read_bytes()


def test_answer_resumes_and_never_writes_failures(gateway, answered, tmp_path):
    directory = tmp_path / "eval"
    shutil.copytree(answered, directory)
    path = directory / "model_answer" / f"{BRIEF}.jsonl"
    kept = path.read_text().splitlines()
    path.write_text("\n".join(kept[:-3]) + "\n" + kept[-3][: len(kept[-3]) // 2])  # two lost, one cut short
    result = eval_cli("answer", "--questions", str(QUESTIONS), "--models", f"{BRIEF},{VERBOSE}", "--gateway", gateway, "--output", str(directory))
    assert result.returncode == 0, result.stderr
    assert "3 written, 37 already there, 0 failed" in result.stdout
    assert sorted(a["question_id"] for a in lines_skipping_bad(path)) == list(range(1, 21))

    failed = eval_cli("answer", "--questions", str(QUESTIONS), "--models", "no-such-model", "--gateway", gateway,
                      "--output", str(directory), "--attempts", "1")
    assert failed.returncode == 1
    assert "0 written, 0 already there, 20 failed" in failed.stdout and "HTTP 404" in failed.stdout
    assert not lines(directory / "model_answer" / "no-such-model.jsonl")


def lines_skipping_bad(path: pathlib.Path) -> list[dict]:
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return out


def report(directory: pathlib.Path, *arguments: str) -> dict:
    result = eval_cli("report", "--output", str(directory), "--json", *arguments)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_single_grades_follow_the_simulated_judge(gateway, answered):
    result = eval_cli("judge", "--judge", JUDGE, "--mode", "single", "--gateway", gateway, "--output", str(answered))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "80 written, 0 already there, 0 unparseable" in result.stdout
    judgments = lines(answered / "model_judgment" / f"{JUDGE}_single.jsonl")
    assert {tuple(j["judge"]) for j in judgments} == {(JUDGE, "switchyard-single-v1"), (JUDGE, "switchyard-single-ref-v1"),
                                                      (JUDGE, "switchyard-single-v1-multi-turn"), (JUDGE, "switchyard-single-ref-v1-multi-turn")}
    assert all(set(j) == {"question_id", "model", "judge", "user_prompt", "judgment", "score", "turn", "tstamp"} for j in judgments)
    # One point plus one per five words: 8 words score 2, 40 words score 9.
    summary = report(answered)
    scores = {entry["model"]: entry for entry in summary["scores"]}
    assert scores[VERBOSE]["overall"] == 9 and scores[VERBOSE]["turn1"] == 9 and scores[VERBOSE]["turn2"] == 9
    assert scores[BRIEF]["overall"] == 2
    assert set(scores[BRIEF]["categories"]) == {"writing", "roleplay", "extraction", "math", "reasoning", "coding", "stem", "humanities"}
    assert summary["unparseable"] == 0
    ElementTree.parse(answered / f"single-{JUDGE}.svg")
    again = eval_cli("judge", "--judge", JUDGE, "--mode", "single", "--gateway", gateway, "--output", str(answered))
    assert "0 written, 80 already there" in again.stdout


def test_pairwise_in_both_orders(gateway, answered):
    result = eval_cli("judge", "--judge", JUDGE, "--mode", "pairwise-all", "--gateway", gateway, "--output", str(answered))
    assert result.returncode == 0, result.stdout + result.stderr
    judgments = lines(answered / "model_judgment" / f"{JUDGE}_pair.jsonl")
    assert len(judgments) == 40
    for judgment in judgments:
        # Without --models, every model with answers, in name order.
        assert (judgment["model_1"], judgment["model_2"]) == (VERBOSE, BRIEF)
        # The longer answer wins in either position: g1 shows model 1 first, g2 model 2.
        assert judgment["g1_winner"] == judgment["g2_winner"] == "model_1"
        assert judgment["g1_judgment"].endswith("[[A]]") and judgment["g2_judgment"].endswith("[[B]]")
    summary = report(answered, "--mode", "pairwise-all")
    records = {entry["model"]: entry for entry in summary["records"]}
    assert (records[VERBOSE]["win"], records[VERBOSE]["loss"], records[VERBOSE]["tie"]) == (40, 0, 0)
    assert records[BRIEF]["win_rate_adjusted"] == 0
    baseline = report(answered, "--mode", "pairwise-baseline", "--baseline", BRIEF)
    assert [entry["model"] for entry in baseline["records"]] == [VERBOSE]
    # FastChat's show_result.py reads the same file and counts the same.
    shown = subprocess.run([sys.executable, "-m", "fastchat.llm_judge.show_result", "--mode", "pairwise-all",
                            "--input-file", str(answered / "model_judgment" / f"{JUDGE}_pair.jsonl")],
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    row = next(line.split() for line in shown.stdout.splitlines() if line.startswith(VERBOSE))
    assert row[1:4] == ["40", "0", "0"]


def test_unparseable_verdicts_are_counted_not_guessed(gateway, answered, tmp_path):
    directory = tmp_path / "eval"
    shutil.copytree(answered / "model_answer", directory / "model_answer")
    shutil.copy(answered / "question.jsonl", directory / "question.jsonl")
    # Three tokens cut the simulated judge's reply before its verdict.
    result = eval_cli("judge", "--judge", JUDGE, "--mode", "single", "--models", BRIEF, "--gateway", gateway,
                      "--output", str(directory), "--max-tokens", "3")
    assert result.returncode == 0, result.stderr
    assert "40 written, 0 already there, 40 unparseable" in result.stdout
    assert all(j["score"] == -1 for j in lines(directory / "model_judgment" / f"{JUDGE}_single.jsonl"))
    summary = report(directory)
    assert summary["unparseable"] == 40
    assert summary["scores"][0].get("overall") is None
    text = eval_cli("report", "--output", str(directory))
    assert "40 unparseable verdicts (left out)" in text.stdout
