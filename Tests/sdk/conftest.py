"""Starts a real `switchyard up` for the SDK tests and stops it afterwards."""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("SWITCHYARD_BIN", str(ROOT / ".build" / "debug" / "switchyard"))
MODEL = "switchyard-sim"
RIVAL = "switchyard-sim-rival"
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
MAX_BODY_BYTES = 1_000_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch_up(name: str, *extra: str):
    """Starts `switchyard up` on free ports with two simulated models; returns its process and URLs."""
    gateway_port, controller_port = free_port(), free_port()
    log_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"switchyard-sdk-{name}.log")
    log = open(log_path, "w")
    process = subprocess.Popen(
        [BINARY, "up", "--port", str(gateway_port), "--controller-port", str(controller_port),
         "--models", f"{MODEL},{RIVAL}", "--arena-db", ":memory:", *extra],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )
    deadline = time.monotonic() + 60
    admin_token = None
    for line in process.stdout:
        # The banner names the admin token `up` made (unless given one), which the worker listing needs.
        if line.strip().startswith("Admin token:"):
            admin_token = line.split()[2]
        if line.strip().startswith("Try:"):
            break
        if time.monotonic() > deadline:
            break
    else:
        pytest.fail("switchyard up exited before it was ready")
    return process, log, {
        "base_url": f"http://127.0.0.1:{gateway_port}/v1",
        "gateway": f"http://127.0.0.1:{gateway_port}",
        "controller": f"http://127.0.0.1:{controller_port}",
        "admin_token": admin_token,
        "log": log_path,
    }


def stop_up(process, log):
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    log.close()


@pytest.fixture(scope="session")
def switchyard():
    process, log, urls = launch_up(
        "up", "--sim-ttft", "0", "--sim-tokens-per-second", "0", "--sim-output-tokens", "12",
        "--keep-alive-interval", "0.3", "--max-body-bytes", str(MAX_BODY_BYTES))
    yield urls
    stop_up(process, log)


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Selenium, for the web page tests."""
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("Debian's chromium and chromium-driver are required (Scripts/test installs them)")
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
