"""Starts a real `switchyard up` for the SDK tests and stops it afterwards."""
import os
import pathlib
import signal
import socket
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("SWITCHYARD_BIN", str(ROOT / ".build" / "debug" / "switchyard"))
MODEL = "switchyard-sim"
RIVAL = "switchyard-sim-rival"
OUTPUT = ROOT / "test-output"
MAX_BODY_BYTES = 1_000_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def switchyard():
    gateway_port, controller_port = free_port(), free_port()
    log_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "switchyard-sdk-up.log")
    log = open(log_path, "w")
    process = subprocess.Popen(
        [BINARY, "up", "--port", str(gateway_port), "--controller-port", str(controller_port),
         "--models", f"{MODEL},{RIVAL}", "--arena-db", ":memory:",
         "--sim-ttft", "0", "--sim-tokens-per-second", "0", "--sim-output-tokens", "12",
         "--keep-alive-interval", "0.3", "--max-body-bytes", str(MAX_BODY_BYTES)],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )
    deadline = time.monotonic() + 60
    for line in process.stdout:
        if line.startswith("Switchyard is up"):
            break
        if time.monotonic() > deadline:
            break
    else:
        pytest.fail("switchyard up exited before it was ready")
    yield {
        "base_url": f"http://127.0.0.1:{gateway_port}/v1",
        "gateway": f"http://127.0.0.1:{gateway_port}",
        "controller": f"http://127.0.0.1:{controller_port}",
        "log": log_path,
    }
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    log.close()
