"""FastChat and Switchyard mixed (issue 16 items 4 and 5), all real processes on loopback:

- a FastChat-protocol worker (fastchat_worker.py: SmolLM2 through llama-cpp-python's raw
  completion, ChatML template) behind our gateway, chatted with by the openai SDK;
- FastChat's own `openai_api_server` (fschat 0.2.36) pointed at our controller, serving chat from
  that worker and from a Switchyard worker.

The controller runs without tokens: FastChat's server cannot send them.
"""
import os
import socket
import subprocess
import sys
import pathlib

import httpx
import openai
import pytest

from conftest import BINARY, free_port
from test_real_model import Daemon, gguf_path, wait_until, LOGS

if not os.environ.get("CI"):
    pytest.importorskip("llama_cpp", reason="pip install -r Tests/sdk/requirements-model.txt")
    pytest.importorskip("fastchat", reason="pip install fschat==0.2.36")

HERE = pathlib.Path(__file__).resolve().parent
FASTCHAT_MODEL, SWITCHYARD_MODEL = "smollm2-fastchat", "switchyard-sim"
PROMPT = [{"role": "user", "content": "What is the capital of France? Answer in one word."}]


class Process:
    """A Python daemon whose stdout announces its address."""

    def __init__(self, name: str, arguments: list[str], announcement: str | None):
        self.log = open(os.path.join(LOGS, f"switchyard-fastchat-{name}.log"), "w")
        # In the log directory: FastChat's servers write their own log files into their working directory.
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=LOGS)
        self.url = None
        if announcement:
            for line in self.process.stdout:
                if line.startswith(announcement):
                    self.url = line[len(announcement):].strip()
                    break
            else:
                pytest.fail(f"{name} exited before listening; see {self.log.name}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def listens(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def chats(client: openai.OpenAI, model: str) -> bool:
    try:
        client.chat.completions.create(model=model, messages=PROMPT, max_tokens=1)
        return True
    except (openai.APIStatusError, openai.APIConnectionError):
        return False


@pytest.fixture(scope="module")
def fabric():
    controller = Daemon("fastchat-controller", [BINARY, "controller", "--port", "0", "--gateway-port", "0"])
    controller_url, gateway_url = controller.urls("controller", "gateway")
    daemons = [controller]
    try:
        worker = Process("worker", [sys.executable, str(HERE / "fastchat_worker.py"), "--controller", controller_url,
                                    "--model-name", FASTCHAT_MODEL, "--model", gguf_path()],
                         "fastchat test worker listening on ")
        daemons.insert(0, worker)
        simulated = Daemon("fastchat-sim-worker", [BINARY, "worker", "--port", "0", "--controller", controller_url,
                                                   "--model-names", SWITCHYARD_MODEL, "--backend", "sim",
                                                   "--heart-beat-interval", "1"])
        daemons.insert(0, simulated)
        simulated.urls("worker")
        client = openai.OpenAI(base_url=gateway_url + "/v1", api_key="EMPTY", max_retries=0, timeout=120)
        wait_until("the gateway routes the FastChat worker", lambda: chats(client, FASTCHAT_MODEL), timeout=60)
        yield {"controller": controller_url, "gateway": gateway_url}
    finally:
        for daemon in daemons:
            daemon.stop()


@pytest.fixture
def client(fabric):
    return openai.OpenAI(base_url=fabric["gateway"] + "/v1", api_key="EMPTY", max_retries=0, timeout=120)


def test_chat_through_our_gateway_to_a_fastchat_worker(client):
    completion = client.chat.completions.create(model=FASTCHAT_MODEL, messages=PROMPT, max_tokens=16, temperature=0)
    print("non-stream:", repr(completion.choices[0].message.content), completion.usage)
    assert completion.object == "chat.completion"
    choice = completion.choices[0]
    assert choice.message.role == "assistant"
    assert "paris" in choice.message.content.lower()
    assert "<|im_end|>" not in choice.message.content
    assert choice.finish_reason in ("stop", "length")
    assert completion.usage.prompt_tokens > 0
    assert 0 < completion.usage.completion_tokens <= 16


def test_streamed_chat_through_our_gateway_to_a_fastchat_worker(client):
    chunks = list(client.chat.completions.create(
        model=FASTCHAT_MODEL, messages=PROMPT, max_tokens=16, temperature=0,
        stream=True, stream_options={"include_usage": True},
    ))
    text = "".join(choice.delta.content or "" for chunk in chunks for choice in chunk.choices)
    print("stream:", repr(text))
    assert "paris" in text.lower()
    roles = [choice.delta.role for chunk in chunks for choice in chunk.choices if choice.delta.role]
    assert roles == ["assistant"]
    finishes = [choice.finish_reason for chunk in chunks for choice in chunk.choices if choice.finish_reason]
    assert finishes in (["stop"], ["length"])
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage.prompt_tokens > 0 and 0 < usage.completion_tokens <= 16
    # Same prompt, greedy: the streamed text is the non-streamed one.
    whole = client.chat.completions.create(model=FASTCHAT_MODEL, messages=PROMPT, max_tokens=16, temperature=0)
    assert whole.choices[0].message.content == text


def test_context_overflow_is_an_openai_400(client):
    with pytest.raises(openai.BadRequestError) as failure:
        client.chat.completions.create(model=FASTCHAT_MODEL, messages=[{"role": "user", "content": "word " * 3000}])
    assert failure.value.code == "context_length_exceeded"
    assert "2048" in failure.value.message


# FastChat's server posts `/list_models` and `/refresh_all_workers` bare through aiohttp, which labels
# the empty body `application/octet-stream`: the controller's browser guard lets an Origin-less,
# bodiless POST through whatever its type.
@pytest.fixture(scope="module")
def fastchat_server(fabric):
    port = free_port()
    server = Process("openai-api-server", [sys.executable, "-m", "fastchat.serve.openai_api_server",
                                           "--controller-address", fabric["controller"], "--host", "127.0.0.1",
                                           "--port", str(port)], None)
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="EMPTY", max_retries=0, timeout=120)
    try:
        wait_until("FastChat's server listens", lambda: listens(port), timeout=90)
        yield client
    finally:
        server.stop()


def test_fastchats_server_serves_the_fastchat_worker_through_our_controller(fastchat_server):
    completion = fastchat_server.chat.completions.create(model=FASTCHAT_MODEL, messages=PROMPT, max_tokens=16, temperature=0)
    print("FastChat server, FastChat worker:", repr(completion.choices[0].message.content))
    assert "paris" in completion.choices[0].message.content.lower()
    models = [model.id for model in fastchat_server.models.list()]
    assert FASTCHAT_MODEL in models and SWITCHYARD_MODEL in models


def test_fastchats_server_serves_a_switchyard_worker(fastchat_server):
    completion = fastchat_server.chat.completions.create(model=SWITCHYARD_MODEL, messages=PROMPT, max_tokens=8)
    print("FastChat server, Switchyard worker:", repr(completion.choices[0].message.content))
    assert completion.choices[0].message.content
    # Not streamed through FastChat's server: fschat 0.2.36 encodes its stream chunks with
    # pydantic 1's `.json(ensure_ascii=...)`, which pydantic 2 (what its FastAPI needs) refuses.


def test_a_switchyard_worker_beats_with_posts_to_fastchats_controller():
    """FastChat's controller has no heartbeat stream (404): our worker falls back to one POST per beat."""
    port = free_port()
    controller = Process("controller", [sys.executable, "-m", "fastchat.serve.controller", "--host", "127.0.0.1",
                                        "--port", str(port)], None)
    url = f"http://127.0.0.1:{port}"
    daemons = [controller]
    try:
        wait_until("FastChat's controller listens", lambda: listens(port), timeout=90)
        worker = Daemon("fastchat-controller-sim-worker", [BINARY, "worker", "--port", "0", "--controller", url,
                                                           "--model-names", SWITCHYARD_MODEL, "--backend", "sim",
                                                           "--heart-beat-interval", "0.5"])
        daemons.insert(0, worker)
        (address,) = worker.urls("worker")
        wait_until("FastChat's controller lists the model",
                   lambda: SWITCHYARD_MODEL in httpx.post(url + "/list_models", timeout=5).json()["models"], timeout=30)
        log = pathlib.Path(worker.log.name)
        wait_until("the worker falls back to POST beats", lambda: "beating with one POST each" in log.read_text(), timeout=30)
        # FastChat's controller logs each beat it receives; several arrive and the worker stays.
        controller_log = pathlib.Path(LOGS) / "controller.log"
        wait_until("FastChat's controller received beats",
                   lambda: controller_log.exists() and controller_log.read_text().count(f"Receive heart beat. {address}") >= 3,
                   timeout=30)
        assert httpx.post(url + "/get_worker_address", json={"model": SWITCHYARD_MODEL}, timeout=5).json()["address"] == address
        assert "heartbeat stream broke" not in log.read_text()
    finally:
        for daemon in daemons:
            daemon.stop()
