"""What operators see of a live `switchyard up`: Prometheus metrics, the Grafana dashboard's
queries, JSON request logs, and `switchyard status`."""
import json
import pathlib
import re
import subprocess
import time
import urllib.request

import openai
import pytest

from conftest import BINARY, MODEL, ROOT


def scrape(url):
    return urllib.request.urlopen(url + "/metrics").read().decode()


@pytest.fixture(scope="module")
def traffic(switchyard):
    client = openai.OpenAI(base_url=switchyard["base_url"], api_key="EMPTY", max_retries=0)
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "count my tokens"}], extra_headers={"x-request-id": "ops-test-1"})
    list(client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "stream me"}], stream=True, stream_options={"include_usage": True}))
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    # Workers report their activity with their next heartbeat (every 3 s).
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        listing = urllib.request.Request(
            switchyard["controller"] + "/api/v1/workers", headers={"Authorization": "Bearer " + switchyard["admin_token"]})
        workers = json.load(urllib.request.urlopen(listing))["workers"]
        if workers and all("activity" in worker for worker in workers):
            break
        time.sleep(0.25)
    return client


def test_gateway_metrics_count_requests_tokens_and_latency(switchyard, traffic):
    text = scrape(switchyard["gateway"])
    assert re.search(r'switchyard_gateway_requests_total\{endpoint="chat/completions",model="%s",worker="http://[^"]+",status="200"\} [1-9]' % MODEL, text)
    assert re.search(r'switchyard_gateway_requests_total\{endpoint="chat/completions",model="unknown",worker="",status="404"\} [1-9]', text)
    assert re.search(r'switchyard_gateway_completion_tokens_total\{model="%s"\} [1-9]' % MODEL, text)
    assert re.search(r'switchyard_gateway_time_to_first_token_seconds_count\{model="%s"\} [1-9]' % MODEL, text)
    assert re.search(r'switchyard_gateway_inter_token_latency_seconds_bucket\{model="%s",le="[^"]+"\}' % MODEL, text)
    assert re.search(r'switchyard_gateway_workers\{state="ready"\} [12]\.0', text)


def test_grafana_dashboard_uses_only_exported_metrics(switchyard, traffic):
    exported = set(re.findall(r"^(switchyard_[a-z_]+?)(?:_bucket|_sum|_count)?[{ ]", scrape(switchyard["controller"]), re.M))
    dashboard = json.loads((ROOT / "Config" / "grafana-dashboard.json").read_text())
    used = {name for panel in dashboard["panels"] for target in panel["targets"] for name in re.findall(r"switchyard_[a-z_]+", target["expr"])}
    used = {re.sub(r"_(bucket|sum|count)$", "", name) for name in used}
    # These appear once something happened: an expiry, a breaker tripping, a retry, a queued request.
    assert used - exported <= {
        "switchyard_controller_expiries_total", "switchyard_gateway_circuit_transitions_total",
        "switchyard_gateway_retries_total", "switchyard_gateway_queued",
    }
    assert len(used & exported) >= 10


def test_request_log_lines_are_json_with_the_request_fields(switchyard, traffic):
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(line) for line in pathlib.Path(switchyard["log"]).read_text().splitlines() if line.startswith("{")]
        mine = [line for line in lines if line.get("msg") == "request" and line.get("request_id") == "ops-test-1"]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert mine, "no request log line for ops-test-1"
    line = mine[0]
    assert line["level"] == "info" and line["logger"] == "switchyard.gateway"
    assert line["model"] == MODEL and line["status"] == 200 and line["worker"].startswith("http://")
    assert line["latency_ms"] >= 0 and line["prompt_tokens"] == 3 and line["completion_tokens"] == 12
    assert "count my tokens" not in pathlib.Path(switchyard["log"]).read_text()


def test_status_table_and_json(switchyard, traffic):
    arguments = [BINARY, "status", "--controller", switchyard["controller"], "--gateway", switchyard["gateway"]]
    table = subprocess.run(arguments, capture_output=True, text=True, timeout=30, check=True).stdout
    assert table.splitlines()[0].split()[:4] == ["ADDRESS", "MODELS", "STATE", "IN-FLIGHT"]
    assert "\x1b[" not in table  # piped: no colour
    assert re.search(rf"^{MODEL}: [01] of 1 worker ready$", table, re.M)
    report = json.loads(subprocess.run(arguments + ["--json"], capture_output=True, text=True, timeout=30, check=True).stdout)
    workers = [worker for worker in report["workers"] if MODEL in worker["models"]]
    assert len(workers) == 1
    worker = workers[0]
    # Earlier tests asked the simulator for failures, which may have tripped the breaker for a moment.
    assert worker["condition"] in ("ready", "circuit open", "half open")
    assert worker["circuit"] in ("closed", "open", "half_open")
    assert worker["activity"]["requests_last_minute"] >= 0
    assert {"address", "state", "queue_length", "limit_concurrency", "last_heartbeat_age_s", "gateway_in_flight"} <= worker.keys()
    assert next(model for model in report["models"] if model["name"] == MODEL)["workers"] == 1
