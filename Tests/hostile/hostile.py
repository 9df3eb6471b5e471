#!/usr/bin/env python3
"""The hostile-input suite: what an attacker sends, against a live `switchyard up` with API keys,
a registration token and an admin token, plus a real `switchyard worker --backend openai` in front
of a fake upstream that answers with the values that used to crash Switchyard.

Python standard library only (the browser check uses Selenium when it is installed); loopback only
(every server it talks to, canaries included, is its own on 127.0.0.1); bounded in requests (a fixed
seed, HOSTILE_SEED, drives every random choice) and in time (every socket has a timeout).

Prints a table (category, requests sent, failures, processes alive, RSS before/after) and every
failure; exits 1 when any check failed or any process died.

    SWITCHYARD_BIN=.build/debug/switchyard python3 Tests/hostile/hostile.py
"""
import base64
import concurrent.futures
import http.client
import json
import os
import pathlib
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("SWITCHYARD_BIN", str(ROOT / ".build" / "debug" / "switchyard"))
SEED = int(os.environ.get("HOSTILE_SEED", "12"))
HOST = "127.0.0.1"
FULL_KEY = "sk-hostile-full-0123456789"
LIMITED_KEY = "sk-hostile-limited-0123456789"
REGISTRATION_TOKEN = "hostile-registration-token-0123456789"
ADMIN_TOKEN = "hostile-admin-token-0123456789"
MAX_BODY = 4 * 1024 * 1024
RSS_BOUND_MB = 150
SLOW_LIMIT_S = 60  # generous: the servers are started with --idle-timeout 5
REQUEST_TIMEOUT = 30
XSS = ['<script>window.__xss=1</script>', '"><img src=x onerror="window.__xss=1">', "'><svg/onload=window.__xss=1>"]


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# ----------------------------------------------------------------------------------------------
# Bookkeeping

class Category:
    def __init__(self, name):
        self.name = name
        self.requests = 0
        self.failures = []
        self.alive = "-"
        self.rss_before = None
        self.rss_after = None


class Suite:
    def __init__(self):
        self.categories = {}
        self.lock = threading.RLock()
        self.current = None
        self.processes = {}  # name -> Popen
        self.checks = []  # callables that say whether every process answers

    def category(self, name):
        with self.lock:
            if name not in self.categories:
                self.categories[name] = Category(name)
            return self.categories[name]

    def count(self, category, n=1):
        with self.lock:
            self.category(category).requests += n

    def fail(self, category, message):
        with self.lock:
            self.category(category).failures.append(message[:400])

    def check(self, category, condition, message):
        if not condition:
            self.fail(category, message)
        return condition

    def alive(self):
        """Every process still running and answering its health route."""
        dead = [name for name, process in self.processes.items() if process.poll() is not None]
        for name, probe in self.checks:
            if name in dead:
                continue
            try:
                if not probe():
                    dead.append(name + " (not answering)")
            except Exception as error:  # noqa: BLE001
                dead.append(f"{name} ({type(error).__name__})")
        return dead


SUITE = Suite()


def run_category(name, function, *args):
    category = SUITE.category(name)
    pid = SUITE.processes["up"].pid
    category.rss_before = rss_mb(pid)
    started = time.monotonic()
    try:
        function(name, *args)
    except Exception as error:  # noqa: BLE001 - a crash of the suite itself is a failure too
        import traceback
        SUITE.fail(name, f"suite error: {type(error).__name__}: {error} {traceback.format_exc()[-600:]}")
    category.rss_after = rss_mb(pid)
    dead = SUITE.alive()
    category.alive = "all" if not dead else "DEAD: " + ", ".join(dead)
    if dead:
        SUITE.fail(name, "process dead or silent after this category: " + ", ".join(dead))
    print(f"  {name}: {category.requests} requests, {len(category.failures)} failures, "
          f"{time.monotonic() - started:.1f}s", flush=True)


# ----------------------------------------------------------------------------------------------
# HTTP

class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def request(port, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT, category=None):
    """One request on its own connection; raw bytes allowed. Returns an Answer, or raises."""
    if category:
        SUITE.count(category)
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    all_headers = {"Content-Type": "application/json"} if body is not None else {}
    all_headers.update(headers or {})
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        connection.close()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def openai_error(answer):
    """Whether the body is OpenAI's error JSON: {"error": {"message", "type", "param", "code"}}."""
    body = answer.json()
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return False
    detail = body["error"]
    return isinstance(detail.get("message"), str) and all(key in detail for key in ("type", "param", "code"))


def expect_client_answer(category, answer, what, allow=(), relayed=False):
    """A hostile request's answer: a 4xx with OpenAI's error JSON, or a success; never a 5xx."""
    if answer.status >= 500 and answer.status not in allow:
        SUITE.fail(category, f"{what}: {answer.status} {answer.body[:200]!r}")
        return False
    if answer.status >= 400 and not openai_error(answer):
        SUITE.fail(category, f"{what}: {answer.status} without OpenAI error JSON: {answer.body[:200]!r}")
        return False
    if 200 <= answer.status < 300:
        content_type = answer.headers.get("content-type", "")
        if "event-stream" in content_type and not relayed:
            if b"data: [DONE]" not in answer.body and b'"error"' not in answer.body:
                SUITE.fail(category, f"{what}: a stream without [DONE] or an error event: {answer.body[-200:]!r}")
                return False
        elif "json" in content_type and answer.json() is None and answer.body.strip() != b"null":
            SUITE.fail(category, f"{what}: 2xx body is not JSON: {answer.body[:200]!r}")
            return False
    return True


def retry_headers_sane(category, answer, what):
    for name in ("retry-after", "retry-after-ms"):
        value = answer.headers.get(name)
        if value is not None and not re.fullmatch(r"\d{1,12}", value.strip()):
            SUITE.fail(category, f"{what}: {name}: {value!r} is not a bounded whole number")


def attempt(category, what, function, cut_allowed=False):
    """Runs one request; a refused or reset connection or a timeout is a failure with its cause,
    except a connection cut mid-answer where the request asked for one (`drop_after`)."""
    try:
        return function()
    except (http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionResetError) as error:
        if not cut_allowed:
            SUITE.fail(category, f"{what}: {type(error).__name__}: {error}")
        return None
    except (OSError, http.client.HTTPException) as error:
        SUITE.fail(category, f"{what}: {type(error).__name__}: {error}")
        return None


# ----------------------------------------------------------------------------------------------
# Loopback servers of the suite: SSRF canaries and a fake OpenAI upstream

class QuietServer(ThreadingHTTPServer):
    """A loopback server of the suite's own; clients that hang up on it are no news."""
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


class Canary(QuietServer):

    def __init__(self, redirect_to=None):
        self.hits = 0
        self.redirect_to = redirect_to
        super().__init__((HOST, 0), CanaryHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://{HOST}:{self.server_address[1]}"


class CanaryHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def handle_any(self):
        self.server.hits += 1
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        if self.server.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.server.redirect_to + "/internal-secret")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            body = b'{"model_names": ["ssrf-secret"], "speed": 1, "queue_length": 0, "secret": "INTERNAL-CANARY-BODY"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_HEAD = handle_any


UPSTREAM_MODES = {
    # mode: (status, headers) of an error answer
    "429-huge": (429, {"Retry-After": "99999999999999999"}),
    "429-1e16": (429, {"Retry-After": "1e16"}),
    "429-date": (429, {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}),
    "503-1e300": (503, {"retry-after": "1e300"}),
    "503-inf": (503, {"retry-after": "inf"}),
    "503-nan": (503, {"retry-after": "nan"}),
    "503-neg": (503, {"retry-after": "-5"}),
    "503-ms-1e300": (503, {"retry-after-ms": "1e300"}),
    "503-ms-inf": (503, {"retry-after-ms": "inf", "retry-after": "99999999999999999999999"}),
    "503-ms-nan": (503, {"retry-after-ms": "nan"}),
}


class FakeUpstream(QuietServer):
    """An OpenAI-compatible server gone bad: behind a real worker it is the upstream, registered
    directly it is a rogue worker. The last user message chooses the misbehaviour."""

    def __init__(self, redirect_to):
        self.redirect_to = redirect_to
        self.requests = 0
        super().__init__((HOST, 0), FakeUpstreamHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://{HOST}:{self.server_address[1]}"


class FakeUpstreamHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, headers=None, content_type="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.requests += 1
        if self.path.rstrip("/").endswith("models"):
            self.send(200, {"object": "list", "data": [{"id": "upstream-model", "object": "model", "owned_by": "fake"}]})
        elif self.path == "/health":
            self.send(200, b"{}")
        else:
            self.send(404, {"error": {"message": "no", "type": "invalid_request_error", "param": None, "code": None}})

    def do_POST(self):
        self.server.requests += 1
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.endswith("worker_get_status"):
            self.send(200, {"model_names": ["rogue-direct"], "speed": 1, "queue_length": 0})
            return
        try:
            body = json.loads(raw)
            mode = body["messages"][-1]["content"]
            stream = bool(body.get("stream"))
        except (ValueError, KeyError, IndexError, TypeError):
            mode, stream = "ok", False
        if mode in UPSTREAM_MODES:
            status, headers = UPSTREAM_MODES[mode]
            self.send(status, {"error": {"message": f"fake {mode}", "type": "server_error", "param": None, "code": None}}, headers)
        elif mode == "redirect":
            self.send(302, b"", {"Location": self.server.redirect_to + "/internal-secret"})
        elif mode == "200-error":
            self.send(200, b'{"error": {"message": 1e300, "code": 1e300, "type": ["x"]}, "object": "error"}')
        elif mode == "usage-huge" and not stream:
            self.send(200, b'{"id": "x", "object": "chat.completion", "created": 1e300, "model": "upstream-model",'
                           b' "choices": [{"index": 1e300, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],'
                           b' "usage": {"prompt_tokens": 1e300, "completion_tokens": 9223372036854775808, "total_tokens": -1e300}}')
        elif stream:
            self.stream(mode)
        else:
            self.send(200, {"id": "chatcmpl-fake", "object": "chat.completion", "created": 1, "model": "upstream-model",
                            "choices": [{"index": 0, "message": {"role": "assistant", "content": "fake"}, "finish_reason": "stop"}],
                            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

    def stream(self, mode):
        chunk = lambda extra: b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"upstream-model",' + extra + b'}\n\n'
        if mode == "usage-huge":
            events = [chunk(b'"choices":[{"index":1e300,"delta":{"role":"assistant","content":"a"},"finish_reason":null}]'),
                      chunk(b'"choices":[{"index":9223372036854775808,"delta":{"content":"b"},"finish_reason":"stop"}]'),
                      chunk(b'"choices":[],"usage":{"prompt_tokens":1e300,"completion_tokens":-1e300,"total_tokens":9223372036854775808}'),
                      b"data: [DONE]\n\n"]
        elif mode == "stream-garbage":
            events = [b"id: 1\nretry: 1e300\nevent: x\n\n", b": comment\r\n\r\n", b"error: {not json\n\n",
                      b'data: {"choices": "x"}\n\n', b"data: \x00\xff\xfe\n\n", b"\r\r\r", b"data: {\"choices\":[{\"index\":-1e300,\"delta\":{\"role\":\"assistant\"}}]}\n\n",
                      b"data: " + b"A" * 70000 + b"\n\n"]
        else:
            events = [chunk(b'"choices":[{"index":0,"delta":{"role":"assistant","content":"fake"},"finish_reason":null}]'),
                      chunk(b'"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]'), b"data: [DONE]\n\n"]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for event in events:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
        self.wfile.write(b"0\r\n\r\n")


# ----------------------------------------------------------------------------------------------
# Random and hostile JSON

NASTY_NUMBERS = ["1e300", "-1e300", "1e16", "-1e16", "9223372036854775807", "9223372036854775808",
                 "-9223372036854775809", "18446744073709551616", "1e999", "-1e999", "NaN", "Infinity",
                 "-Infinity", "1.5e308", "4.9e-324", "-0", "0.1", "1E+2", "123456789012345678901234567890",
                 "1e-400", "0", "1", "-1", "2", "128", "129", "999999999999999", "1.0", "01", "1.", ".5", "+1", "0x10"]
NASTY_STRINGS = ['""', '"allowed"', '"secret"', '"\\u0000"', '"\\ud800"', '"\\udc00\\ud800"', '"\\uDBFF\\uDFFF"',
                 '"\\u00"', '"\\x41"', '"a\\"b"', '"<script>alert(1)</script>"', '"' + "A" * 5000 + '"',
                 '"\u00e9\u4e2d\U0001F600"', '"\\n\\r\\t\\b\\f\\/"', '"user"', '"system"', '"tool"', '"function"',
                 '"text"', '"json_object"', '"float"', '"base64"', '"none"', '"auto"', '"required"', '"stop"',
                 '"%s"' % ("\\\\" * 100)]


def random_value(rng, depth=0):
    kind = rng.random()
    if kind < 0.3:
        return rng.choice(NASTY_NUMBERS)
    if kind < 0.55:
        return rng.choice(NASTY_STRINGS)
    if kind < 0.65:
        return rng.choice(["true", "false", "null"])
    if depth > 3:
        return "null"
    if kind < 0.8:
        return "[" + ",".join(random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))) + "]"
    keys = ["role", "content", "type", "text", "name", "function", "include_usage", "image_url", "url", rng.choice(["a", "", "\\u0000"])]
    return "{" + ",".join(f'"{rng.choice(keys)}":{random_value(rng, depth + 1)}' for _ in range(rng.randint(0, 4))) + "}"


def mutate_bytes(rng, text):
    data = bytearray(text)
    for _ in range(rng.randint(1, 6)):
        operation = rng.random()
        position = rng.randint(0, max(0, len(data) - 1)) if data else 0
        if operation < 0.25 and data:
            data[position] = rng.randint(0, 255)
        elif operation < 0.45:
            data[position:position] = rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"\xf4\x90\x80\x80",
                                                  b"\xe2\x82", b"{", b"[", b"}", b"]", b",", b'"', b":", b"\\", b"\\u"])
        elif operation < 0.6 and data:
            del data[position:position + rng.randint(1, 8)]
        elif operation < 0.75:
            data = data[:position]
        elif data:
            chunk = data[position:position + rng.randint(1, 30)]
            data[position:position] = chunk * rng.randint(1, 5)
    return bytes(data)


def object_text(fields):
    return "{" + ",".join(f"{json.dumps(key)}:{value}" for key, value in fields) + "}"


def structural_mutation(rng, base, known):
    """The base object with some fields replaced by hostile values, deleted, or added."""
    fields = [(key, json.dumps(value)) for key, value in base.items()]
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.6:
            key = rng.choice(known)
            fields = [(k, v) for k, v in fields if k != key] + [(key, random_value(rng))]
        elif choice < 0.75 and fields:
            fields.pop(rng.randrange(len(fields)))
        elif choice < 0.85 and fields:
            # the same key twice: must be refused
            key, _ = rng.choice(fields)
            fields.append((key, random_value(rng)))
        else:
            fields.append((rng.choice(known), random_value(rng)))
    return object_text(fields).encode("utf-8", "surrogatepass")


def special_bodies():
    return [b"", b" ", b"null", b"[]", b"{}", b'"x"', b"1e300", b"NaN", b"Infinity", b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00",
            b"[" * 100000, b"{\"a\":" * 20000, (b"[" * 600) + (b"]" * 600), (b'{"a":' * 600) + b"1" + (b"}" * 600),
            b"[" + b"1e300," * 50000 + b"1]", b'{"model": "allowed", "messages": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            b"\x00" * 1000, bytes(range(256)), b'{"model":"allowed"' + b"," * 1000 + b"}",
            b'{"model": "allowed", "messages": [{"role": "user", "content": "hi"}], "n": 1e300}']


def fuzz_bodies(rng, base, known, count):
    bodies = special_bodies()
    valid = json.dumps(base).encode()
    while len(bodies) < count:
        if rng.random() < 0.65:
            bodies.append(structural_mutation(rng, base, known))
        else:
            bodies.append(mutate_bytes(rng, valid))
    return bodies


CHAT_BASE = {"model": "allowed", "messages": [{"role": "user", "content": "hello hostile world"}], "max_tokens": 4}
CHAT_KNOWN = ["model", "messages", "stream", "stream_options", "n", "temperature", "top_p", "presence_penalty",
              "frequency_penalty", "seed", "user", "max_tokens", "max_completion_tokens", "stop", "logprobs",
              "top_logprobs", "parallel_tool_calls", "response_format", "tools", "tool_choice", "logit_bias"]
COMPLETION_BASE = {"model": "allowed", "prompt": "hello hostile", "max_tokens": 4}
COMPLETION_KNOWN = ["model", "prompt", "stream", "n", "best_of", "max_tokens", "stop", "logprobs", "echo", "suffix",
                    "temperature", "seed", "user", "stream_options"]
EMBEDDING_BASE = {"model": "allowed", "input": "hello hostile"}
EMBEDDING_KNOWN = ["model", "input", "encoding_format", "dimensions", "user"]


# ----------------------------------------------------------------------------------------------
# The fleet under test

class Fleet:
    def __init__(self, workdir):
        self.workdir = workdir
        self.gateway = free_port()
        self.controller = free_port()
        self.worker = free_port()
        self.dead = free_port()  # nothing listens here
        self.canary_internal = Canary()
        self.canary_redirect = Canary(redirect_to=self.canary_internal.url)
        self.upstream = FakeUpstream(redirect_to=self.canary_internal.url)
        self.logs = []

    def start(self):
        keys = pathlib.Path(self.workdir, "keys")
        keys.write_text(f"# hostile suite\n{FULL_KEY}\n{LIMITED_KEY} allowed\n")
        help_text = subprocess.run([BINARY, "up", "--help"], capture_output=True, text=True).stdout
        limits = []
        for option, value in (("--idle-timeout", "5"), ("--request-timeout", "10")):
            if option in help_text:
                limits += [option, value]
        self.max_connections = 200 if "--max-connections" in help_text else None
        if self.max_connections:
            limits += ["--max-connections", str(self.max_connections)]
        up_log = open(pathlib.Path(self.workdir, "up.log"), "w")
        self.logs.append(up_log)
        up = subprocess.Popen(
            [BINARY, "up", "--port", str(self.gateway), "--controller-port", str(self.controller),
             "--models", "allowed,secret", "--workers", "2", "--arena-db", ":memory:",
             "--api-keys-file", str(keys), "--registration-token", REGISTRATION_TOKEN, "--admin-token", ADMIN_TOKEN,
             "--sim-ttft", "0", "--sim-tokens-per-second", "0", "--sim-output-tokens", "8",
             "--max-body-bytes", str(MAX_BODY), "--keep-alive-interval", "1", *limits],
            stdout=subprocess.PIPE, stderr=up_log, text=True)
        SUITE.processes["up"] = up
        deadline = time.monotonic() + 120
        for line in up.stdout:
            if line.startswith("Switchyard is up") or time.monotonic() > deadline:
                break
        if up.poll() is not None:
            raise SystemExit(f"switchyard up exited ({up.returncode}); see {self.workdir}/up.log")
        threading.Thread(target=lambda: [None for _ in up.stdout], daemon=True).start()
        worker_log = open(pathlib.Path(self.workdir, "worker.log"), "w")
        self.logs.append(worker_log)
        worker = subprocess.Popen(
            [BINARY, "worker", "--controller", f"http://{HOST}:{self.controller}", "--port", str(self.worker),
             "--registration-token", REGISTRATION_TOKEN, "--admin-token", ADMIN_TOKEN,
             "--backend", "openai", "--upstream", self.upstream.url + "/v1", "--model-names", "upstream-model", *limits],
            stdout=subprocess.DEVNULL, stderr=worker_log)
        SUITE.processes["worker"] = worker
        SUITE.checks = [
            # the gateway has no /health of its own: its public /metrics and a keyed /v1/models
            ("up", lambda: request(self.gateway, "GET", "/metrics", timeout=10).status == 200
                and request(self.gateway, "GET", "/v1/models", headers=bearer(FULL_KEY), timeout=10).status == 200
                and request(self.controller, "GET", "/test_connection", timeout=10).status == 200),
            ("worker", lambda: request(self.worker, "GET", "/health", timeout=10).status == 200),
        ]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                models = request(self.gateway, "GET", "/v1/models", headers=bearer(FULL_KEY), timeout=5).json() or {}
                if "upstream-model" in [model.get("id") for model in models.get("data", [])]:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit(f"the openai worker never appeared in /v1/models; see {self.workdir}/worker.log")
        self.own_workers = {record.get("address") or record.get("worker_name") for record in self.workers()}

    def stop(self):
        codes = {}
        for name, process in SUITE.processes.items():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in SUITE.processes.items():
            try:
                codes[name] = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = "killed after 30 s"
        for log in self.logs:
            log.close()
        return codes

    def workers(self):
        answer = request(self.controller, "GET", "/api/v1/workers", headers=bearer(ADMIN_TOKEN), timeout=10)
        return (answer.json() or {}).get("workers", [])

    def register(self, name, models, category, status=True, **status_fields):
        body = {"worker_name": name, "check_heart_beat": False,
                "worker_status": ({"model_names": models, "speed": 1, "queue_length": 0, **status_fields} if status else None),
                "multimodal": False}
        return request(self.controller, "POST", "/register_worker", body, bearer(REGISTRATION_TOKEN), category=category)

    def unregister_strangers(self, category):
        """Removes every worker the suite registered by hand, so later categories route as before."""
        for record in self.workers():
            address = record.get("address") or record.get("worker_name")
            if address and address not in self.own_workers:
                request(self.controller, "POST", "/api/v1/workers/unregister", {"worker_name": address},
                        bearer(ADMIN_TOKEN), category=category)


# ----------------------------------------------------------------------------------------------
# Categories

def fuzz_v1(category, fleet, rng):
    routes = [("/v1/chat/completions", CHAT_BASE, CHAT_KNOWN, 170), ("/v1/completions", COMPLETION_BASE, COMPLETION_KNOWN, 110),
              ("/v1/embeddings", EMBEDDING_BASE, EMBEDDING_KNOWN, 90)]
    jobs = []
    for path, base, known, count in routes:
        for body in fuzz_bodies(rng, base, known, count):
            jobs.append((fleet.gateway, path, body))
    # the worker applies the same validation as the gateway, since it is reachable without one
    for body in fuzz_bodies(rng, {**CHAT_BASE, "model": "upstream-model"}, CHAT_KNOWN, 60):
        jobs.append((fleet.worker, "/v1/chat/completions", body))

    def send(job):
        port, path, body = job
        what = f"POST {path} :{port} body {base64.b64encode(body[:300]).decode()}"
        answer = attempt(category, what, lambda: request(port, "POST", path, body, bearer(FULL_KEY), category=category))
        if answer is not None:
            expect_client_answer(category, answer, what)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(send, jobs))
    # GET routes with hostile ids
    for model_id in ["%00", "..%2F..%2Fetc%2Fpasswd", "A" * 10000, "%3Cscript%3E", "%ff%fe", "allowed/../secret",
                     "%E2%80%AE", "a" * 300, "secret", "allowed"]:
        what = f"GET /v1/models/{model_id[:40]}"
        answer = attempt(category, what, lambda: request(fleet.gateway, "GET", "/v1/models/" + model_id,
                                                          headers=bearer(LIMITED_KEY), category=category))
        if answer is not None:
            expect_client_answer(category, answer, what)
            if model_id == "secret":
                SUITE.check(category, answer.status == 404, f"limited key sees /v1/models/secret: {answer.status}")
    for path in ["/v1/models", "/models", "/v1/models?x=%00", "/api/v1/gateway/stats", "/api/v1/gateway/workers"]:
        answer = attempt(category, path, lambda: request(fleet.gateway, "GET", path, headers=bearer(FULL_KEY), category=category))
        if answer is not None:
            expect_client_answer(category, answer, "GET " + path)


def fuzz_controller(category, fleet, rng):
    safe_names = [fleet.canary_redirect.url, f"http://{HOST}:{fleet.dead}", "", "not a url", "file:///etc/passwd",
                  "javascript:alert(1)", "http://", f"ftp://{HOST}:{fleet.dead}/", f"http://{HOST}:99999",
                  f"http://{HOST}:-1", "<script>alert(1)</script>", "\u0000", f"gopher://{HOST}:{fleet.dead}/_x"]
    registration_known = ["check_heart_beat", "worker_status", "multimodal", "extra"]
    jobs = []
    # Registrations: only structural mutations, and worker_name from a list of loopback or unusable
    # addresses, so no mutation can send the controller anywhere but this machine.
    for index in range(70):
        base = {"worker_name": safe_names[index % len(safe_names)], "check_heart_beat": True,
                "worker_status": {"model_names": ["fuzz-model"], "speed": 1, "queue_length": 0}, "multimodal": False}
        if index < 10:
            body = json.dumps(base).encode()
        else:
            status_fields = [(k, json.dumps(v)) for k, v in base["worker_status"].items()]
            key = rng.choice(["model_names", "speed", "queue_length", "api", "limit_concurrency", "state", "activity"])
            status_fields = [(k, v) for k, v in status_fields if k != key] + [(key, random_value(rng))]
            fields = [(k, json.dumps(v)) for k, v in base.items() if k != "worker_status"]
            fields.append(("worker_status", object_text(status_fields) if rng.random() < 0.8 else random_value(rng)))
            if rng.random() < 0.3:
                key = rng.choice(registration_known)
                fields = [(k, v) for k, v in fields if k != key] + [(key, random_value(rng))]
            body = object_text(fields).encode("utf-8", "surrogatepass")
        # a status the controller would pull (null) goes to the loopback address in worker_name only
        jobs.append(("POST", "/register_worker", body, bearer(REGISTRATION_TOKEN)))
    beat = {"worker_name": f"http://{HOST}:{fleet.dead}", "queue_length": 0}
    for body in fuzz_bodies(rng, beat, ["worker_name", "queue_length", "extra"], 60):
        jobs.append(("POST", "/receive_heart_beat", body, bearer(REGISTRATION_TOKEN)))
    for body in fuzz_bodies(rng, {"model": "allowed"}, ["model"], 50):
        jobs.append(("POST", "/get_worker_address", body, bearer(ADMIN_TOKEN)))
    for path in ["/list_models", "/list_language_models", "/list_multimodal_models", "/worker_get_status"]:
        for body in fuzz_bodies(rng, {}, ["a"], 25):
            jobs.append(("POST", path, body, {}))
    for body in fuzz_bodies(rng, {"worker_name": "http://127.0.0.1:1"}, ["worker_name"], 40):
        jobs.append(("POST", "/api/v1/workers/unregister", body, bearer(ADMIN_TOKEN)))
    for path in ["/api/v1/workers/drain", "/api/v1/workers/undrain"]:
        for body in fuzz_bodies(rng, {"address": "http://127.0.0.1:1"}, ["address"], 30):
            jobs.append(("POST", path, body, bearer(ADMIN_TOKEN)))
    for path in ["/api/v1/workers", "/api/v1/workers?x=%00", "/test_connection", "/api/v1/workers/%00", "/metrics"]:
        jobs.append(("GET", path, None, bearer(ADMIN_TOKEN)))
    # without or with a wrong token: refused, in OpenAI's shape
    for path in ["/register_worker", "/receive_heart_beat", "/api/v1/workers/drain", "/api/v1/workers/unregister", "/refresh_all_workers"]:
        jobs.append(("POST", path, b"{}", {}))
        jobs.append(("POST", path, b"{}", bearer("wrong-token")))
        jobs.append(("POST", path, b"{}", {"Authorization": "Bearer " + "x" * 20000}))

    def send(job):
        method, path, body, headers = job
        what = f"{method} {path} body {base64.b64encode((body or b'')[:300]).decode()}"
        if len(headers.get("Authorization", "")) > 16384:
            what += f" with a {len(headers['Authorization'])}-byte Authorization header (over the 16 KiB field limit)"
        answer = attempt(category, what, lambda: request(fleet.controller, method, path, body, headers, category=category))
        if answer is not None:
            # a registration whose status the controller cannot pull is the worker's fault: 502
            allow = (502,) if path == "/register_worker" else ()
            expect_client_answer(category, answer, what, allow=allow)
            if path in ("/register_worker", "/receive_heart_beat", "/refresh_all_workers") and not headers:
                SUITE.check(category, answer.status in (401, 403), f"{what} without a token: {answer.status}")

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(send, jobs))
    # refresh pulls the status of every registered worker: the redirecting canary among them
    for _ in range(2):
        answer = attempt(category, "refresh", lambda: request(fleet.controller, "POST", "/refresh_all_workers", b"{}",
                                                               bearer(ADMIN_TOKEN), category=category))
        if answer is not None:
            expect_client_answer(category, answer, "POST /refresh_all_workers")
    # the watch stream, read briefly
    try:
        SUITE.count(category)
        with socket.create_connection((HOST, fleet.controller), timeout=5) as sock:
            sock.sendall(f"GET /api/v1/workers/watch HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\r\n".encode())
            head = sock.recv(65536)
            SUITE.check(category, head.startswith(b"HTTP/1.1 200"), f"watch stream: {head[:100]!r}")
    except OSError as error:
        SUITE.fail(category, f"watch stream: {error}")
    fleet.unregister_strangers(category)


def fuzz_arena(category, fleet, rng):
    base = {"messages": [{"role": "user", "content": "name a river"}]}
    jobs = [("/arena/battles", body) for body in fuzz_bodies(rng, base, ["messages", "battle_id", "model", "stream"], 40)]
    jobs += [("/arena/battles/battle_x/vote", body) for body in fuzz_bodies(rng, {"winner": "a"}, ["winner"], 25)]
    jobs += [("/arena/battles/%00/vote", b'{"winner":"a"}'), ("/arena/battles/" + "A" * 5000 + "/vote", b'{"winner":"a"}')]

    def send(job):
        path, body = job
        what = f"POST {path[:60]} body {base64.b64encode(body[:300]).decode()}"
        answer = attempt(category, what, lambda: request(fleet.gateway, "POST", path, body, bearer(FULL_KEY), category=category))
        if answer is not None:
            expect_client_answer(category, answer, what, allow=(503,) if path == "/arena/battles" else ())

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(send, jobs))


MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /\x00health HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-Flood-%d: y\r\n" % i for i in range(500)) + b"\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n",
    b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nabc\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdefghij\r\n0\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n{}",
    b"\r\n\r\n\r\n",
    b"GET /\r\n\r\n",
    b"GET /health HTTP/1.1\nHost: x\n\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  continued\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
    bytes(random.Random(SEED).randrange(256) for _ in range(4096)),
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00" * 64,
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 500,
    b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n" * 200,
    b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n",
    b"GET http://169.254.169.254/latest/meta-data HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n",
    b"TRACE / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\n\xff\xfe: \xff\r\n\r\n",
]


def raw_exchange(port, payload, timeout=15):
    """Sends bytes, half-closes, and reads until the server closes; returns what came back."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may close on a flood before it is all sent
        data = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                piece = sock.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                raise
            if not piece:
                break
            data += piece
        return data


def malformed_http(category, fleet, rng):
    jobs = [(port, payload) for port in (fleet.gateway, fleet.controller, fleet.worker) for payload in MALFORMED]

    def send(job):
        port, payload = job
        SUITE.count(category)
        what = f"raw :{port} {payload[:60]!r}"
        try:
            data = raw_exchange(port, payload)
        except socket.timeout:
            SUITE.fail(category, f"{what}: the server kept a half-closed malformed request open for 15 s")
            return
        except OSError as error:
            if isinstance(error, ConnectionRefusedError):
                SUITE.fail(category, f"{what}: connection refused")
            return
        for status in re.findall(rb"HTTP/1\.[01] (\d{3})", data):
            if int(status) >= 500 and int(status) != 505:
                SUITE.fail(category, f"{what}: answered {int(status)}")
                break

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(send, jobs))


class Slowloris:
    """Connections that send a head a byte at a time, or nothing at all, or a body a byte at a
    time: each server must close every one of them, and still serve others meanwhile."""

    def __init__(self, fleet):
        self.fleet = fleet
        self.results = []  # (what, closed_after_seconds or None)
        self.lock = threading.Lock()
        self.threads = []

    def start(self):
        kinds = ["head", "idle", "body"]
        for port in (self.fleet.gateway, self.fleet.controller, self.fleet.worker):
            for index in range(12):
                thread = threading.Thread(target=self.hold, args=(port, kinds[index % 3]), daemon=True)
                thread.start()
                self.threads.append(thread)

    def hold(self, port, kind):
        started = time.monotonic()
        what = f"slow {kind} to :{port}"
        try:
            with socket.create_connection((HOST, port), timeout=2) as sock:
                if kind == "head":
                    drip = b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100000
                elif kind == "body":
                    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                 b"Authorization: Bearer " + FULL_KEY.encode() + b"\r\nContent-Length: 100000\r\n\r\n")
                    drip = b"[" * 100000
                else:
                    drip = b""
                position = 0
                while time.monotonic() - started < SLOW_LIMIT_S:
                    if drip and position < len(drip):
                        sock.sendall(drip[position:position + 1])
                        position += 1
                    try:
                        if sock.recv(4096) == b"":
                            break
                    except socket.timeout:
                        continue
                else:
                    with self.lock:
                        self.results.append((what, None))
                    return
        except OSError:
            pass  # a reset is a close
        with self.lock:
            self.results.append((what, time.monotonic() - started))

    def finish(self, category):
        for thread in self.threads:
            thread.join(SLOW_LIMIT_S + 10)
        SUITE.count(category, len(self.threads))
        for what, closed in self.results:
            SUITE.check(category, closed is not None, f"{what}: still open after {SLOW_LIMIT_S} s")
        closed = [seconds for _, seconds in self.results if seconds is not None]
        if closed:
            print(f"  slowloris: {len(closed)} of {len(self.results)} connections closed by the servers, "
                  f"the last after {max(closed):.1f} s", flush=True)


def slowloris_meanwhile(category, fleet):
    """While the slow connections are held, normal requests still get answers."""
    for _ in range(5):
        answer = attempt(category, "chat during slowloris", lambda: request(
            fleet.gateway, "POST", "/v1/chat/completions", CHAT_BASE, bearer(FULL_KEY), category=category))
        if answer is not None:
            SUITE.check(category, answer.status == 200, f"chat during slowloris: {answer.status}")


def oversized(category, fleet, rng):
    chat = "/v1/chat/completions"
    big = b'{"model": "allowed", "messages": [{"role": "user", "content": "' + b"a" * (MAX_BODY + 1000) + b'"}]}'
    answer = attempt(category, "body over the limit", lambda: request(fleet.gateway, "POST", chat, big, bearer(FULL_KEY), category=category))
    if answer is not None:
        SUITE.check(category, answer.status == 413, f"gateway body over --max-body-bytes: {answer.status}")
        expect_client_answer(category, answer, "oversized body")
    for port, path, headers in [(fleet.gateway, chat, bearer(FULL_KEY)), (fleet.controller, "/register_worker", bearer(REGISTRATION_TOKEN)),
                                (fleet.controller, "/receive_heart_beat", bearer(REGISTRATION_TOKEN)), (fleet.worker, chat, {}),
                                (fleet.gateway, "/arena/battles", bearer(FULL_KEY))]:
        for length in (10 ** 10, 2 ** 63 - 1, 64 * 1024 * 1024):
            SUITE.count(category)
            what = f"Expect: 100-continue, Content-Length {length}, :{port}{path}"
            head = (f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                    f"Content-Length: {length}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()
            try:
                with socket.create_connection((HOST, port), timeout=15) as sock:
                    sock.sendall(head)
                    data = sock.recv(65536)
                statuses = re.findall(rb"HTTP/1\.1 (\d{3})", data)
                SUITE.check(category, statuses and statuses[0] == b"413",
                            f"{what}: expected an early 413 without the body, got {data[:120]!r}")
            except socket.timeout:
                SUITE.fail(category, f"{what}: no answer in 15 s without the body (expected an early 413)")
            except OSError as error:
                SUITE.fail(category, f"{what}: {error}")
    # a chunked body that grows past the limit
    SUITE.count(category)
    try:
        with socket.create_connection((HOST, fleet.gateway), timeout=15) as sock:
            sock.sendall(f"POST {chat} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\nAuthorization: Bearer {FULL_KEY}\r\n"
                         f"Transfer-Encoding: chunked\r\n\r\n".encode())
            piece = b"a" * 65536
            sent = 0
            try:
                while sent < MAX_BODY * 2:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                    sent += len(piece)
            except OSError:
                pass
            data = sock.recv(65536)
            SUITE.check(category, data.startswith(b"HTTP/1.1 413"), f"chunked body over the limit: {data[:100]!r}")
    except OSError as error:
        SUITE.fail(category, f"chunked body over the limit: {error}")


def rogue_registrations(category, fleet, rng):
    # SSRF: a registered address that redirects to an internal one, by every path that calls it
    answer = fleet.register(fleet.canary_redirect.url, [], category, status=False)
    SUITE.check(category, answer.status >= 400 and openai_error(answer),
                f"registration whose status pull is a redirect: {answer.status} {answer.body[:200]!r}")
    answer = fleet.register(fleet.canary_redirect.url, ["ssrf-model"], category)
    SUITE.check(category, answer.status < 500, f"registration of a loopback address: {answer.status}")
    time.sleep(1.5)  # a health probe or two reach the canary meanwhile
    for stream in (False, True):
        answer = attempt(category, "chat to the redirecting worker", lambda: request(
            fleet.gateway, "POST", "/v1/chat/completions", {**CHAT_BASE, "model": "ssrf-model", "stream": stream},
            bearer(FULL_KEY), category=category))
        if answer is not None:
            SUITE.check(category, answer.status != 200 and b"INTERNAL-CANARY" not in answer.body,
                        f"the gateway followed a worker's redirect: {answer.status} {answer.body[:200]!r}")
    request(fleet.controller, "POST", "/refresh_all_workers", b"{}", bearer(ADMIN_TOKEN), category=category)
    # the openai worker's upstream redirects
    answer = attempt(category, "upstream redirect", lambda: request(
        fleet.gateway, "POST", "/v1/chat/completions",
        {"model": "upstream-model", "messages": [{"role": "user", "content": "redirect"}]}, bearer(FULL_KEY), category=category))
    if answer is not None:
        SUITE.check(category, answer.status != 200 and b"INTERNAL-CANARY" not in answer.body,
                    f"the worker followed its upstream's redirect: {answer.status} {answer.body[:200]!r}")
    # addresses no controller should accept
    for address in ["file:///etc/passwd", "gopher://127.0.0.1:70/_x", "javascript:alert(1)", "http://", "not a url",
                    "http://user:pass@127.0.0.1:1@evil", "ftp://127.0.0.1/", "http://127.0.0.1:99999", ""]:
        answer = fleet.register(address, ["bad-address-model"], category)
        SUITE.check(category, 400 <= answer.status < 500 and openai_error(answer),
                    f"registration of address {address!r}: {answer.status} {answer.body[:120]!r}")

    # absurd numbers
    for index, fields in enumerate([{"queue_length": 2 ** 63 - 1, "speed": 1.5e308}, {"queue_length": 2 ** 63 - 1, "speed": 1.5e308},
                                    {"queue_length": 0, "speed": 0}, {"queue_length": -(2 ** 63), "speed": -1.5e308},
                                    {"queue_length": 1e300, "speed": 1e300}]):
        address = f"http://{HOST}:{fleet.dead}/absurd{index}"
        answer = fleet.register(address, ["absurd-model"], category, **fields)
        SUITE.check(category, answer.status < 500, f"registration with {fields}: {answer.status} {answer.body[:120]!r}")
        request(fleet.controller, "POST", "/receive_heart_beat", {"worker_name": address, "queue_length": 2 ** 63 - 1},
                bearer(REGISTRATION_TOKEN), category=category)
    for path, body in [("/get_worker_address", {"model": "absurd-model"}), ("/worker_get_status", {}), ("/list_models", {}),
                       ("/get_worker_address", {"model": "absurd-model"})]:
        answer = request(fleet.controller, "POST", path, body, bearer(ADMIN_TOKEN), category=category)
        SUITE.check(category, answer.status == 200, f"{path} after absurd registrations: {answer.status} {answer.body[:200]!r}")
        if path == "/worker_get_status" and answer.status == 200:
            status = answer.json() or {}
            for key in ("speed", "queue_length"):
                value = status.get(key)
                SUITE.check(category, isinstance(value, (int, float)) and abs(value) < 1e300,
                            f"/worker_get_status {key} = {value!r}")
    answer = request(fleet.controller, "GET", "/api/v1/workers", headers=bearer(ADMIN_TOKEN), category=category)
    SUITE.check(category, answer.status == 200 and answer.json() is not None, f"/api/v1/workers after absurd numbers: {answer.status}")
    answer = request(fleet.gateway, "GET", "/api/v1/gateway/workers", headers=bearer(FULL_KEY), category=category)
    SUITE.check(category, answer.status == 200 and answer.json() is not None, f"/api/v1/gateway/workers after absurd numbers: {answer.status}")
    answer = attempt(category, "chat to absurd workers", lambda: request(
        fleet.gateway, "POST", "/v1/chat/completions", {**CHAT_BASE, "model": "absurd-model"}, bearer(FULL_KEY), category=category))
    if answer is not None:
        expect_client_answer(category, answer, "chat to absurd-model (dead workers)", allow=(502, 503, 504))

    # 100 000 model names, and names of 2 MiB
    many = [f"m{index}" for index in range(100000)]
    answer = fleet.register(f"http://{HOST}:{fleet.dead}/many", many, category)
    models = request(fleet.controller, "POST", "/list_models", b"{}", category=category).json() or {}
    count = len(models.get("models", []))
    SUITE.check(category, (400 <= answer.status < 500 and openai_error(answer)) or count < 20000,
                f"100 000 model names: registration {answer.status}, /list_models holds {count} names")
    answer = fleet.register(f"http://{HOST}:{fleet.dead}/long", ["L" * (2 << 20)], category)
    models = request(fleet.controller, "POST", "/list_models", b"{}", category=category)
    SUITE.check(category, (400 <= answer.status < 500) or len(models.body) < (1 << 20),
                f"a 2 MiB model name: registration {answer.status}, /list_models {len(models.body)} bytes")
    fleet.unregister_strangers(category)
    SUITE.check(category, fleet.canary_internal.hits == 0,
                f"SSRF canary: the internal server behind a redirect got {fleet.canary_internal.hits} requests")


def duplicate_keys(category, fleet, rng):
    chat = "/v1/chat/completions"
    bodies = [
        b'{"model":"allowed","model":"secret","messages":[{"role":"user","content":"hi"}]}',
        b'{"model":"secret","model":"allowed","messages":[{"role":"user","content":"hi"}]}',
        b'{"model":"allowed","mo\\u0064el":"secret","messages":[{"role":"user","content":"hi"}]}',
        b'{"model":"allowed","messages":[{"role":"user","role":"system","content":"hi"}]}',
        b'{"model":"allowed","messages":[{"role":"user","content":"hi"}],"stream":false,"stream":true}',
        b'{"model":"allowed","messages":[{"role":"user","content":"hi"}],"switchyard_sim":{"fail":200,"fail":503}}',
        b'{"model":"allowed","messages":[{"role":"user","content":"hi"}],"x":{"a":{"b":1,"b":2}}}',
    ]
    for body in bodies:
        for key in (LIMITED_KEY, FULL_KEY):
            answer = attempt(category, "duplicate keys", lambda: request(fleet.gateway, "POST", chat, body, bearer(key), category=category))
            if answer is not None:
                SUITE.check(category, answer.status == 400 and openai_error(answer),
                            f"duplicate keys {body[:70]!r}: {answer.status} {answer.body[:120]!r}")
    for port, path, token in [(fleet.controller, "/register_worker", REGISTRATION_TOKEN), (fleet.controller, "/receive_heart_beat", REGISTRATION_TOKEN),
                              (fleet.controller, "/get_worker_address", ADMIN_TOKEN), (fleet.worker, chat, "")]:
        body = (b'{"worker_name":"http://127.0.0.1:1","worker_name":"http://127.0.0.1:2","check_heart_beat":true,'
                b'"worker_status":{"model_names":["dup"],"speed":1,"queue_length":0},"queue_length":0,'
                b'"model":"upstream-model","model":"secret","messages":[{"role":"user","content":"hi"}]}')
        answer = request(port, "POST", path, body, bearer(token) if token else {}, category=category)
        SUITE.check(category, answer.status == 400 and openai_error(answer), f"duplicate keys to :{port}{path}: {answer.status} {answer.body[:120]!r}")
    for model in ("secret", "SECRET", "secret ", "secret\u0000"):
        answer = request(fleet.gateway, "POST", chat, {**CHAT_BASE, "model": model}, bearer(LIMITED_KEY), category=category)
        SUITE.check(category, answer.status in (400, 404) and openai_error(answer), f"limited key asks {model!r}: {answer.status}")
    answer = request(fleet.gateway, "POST", chat, CHAT_BASE, bearer(LIMITED_KEY), category=category)
    SUITE.check(category, answer.status == 200, f"limited key asks its own model: {answer.status}")


def cross_site(category, fleet, rng):
    """A web page the local user opens must not drive the loopback daemons: operator and
    registration POSTs need JSON, and a foreign Host (DNS rebinding) or Origin is refused."""
    worker = f"http://{HOST}:{fleet.worker}"
    cases = [
        ("/api/v1/workers/drain", {"Content-Type": "text/plain", **bearer(ADMIN_TOKEN)}, {"address": worker}),
        ("/api/v1/workers/drain", {"Content-Type": "application/x-www-form-urlencoded", **bearer(ADMIN_TOKEN)}, {"address": worker}),
        ("/api/v1/workers/drain", {"Origin": "http://evil.example", **bearer(ADMIN_TOKEN)}, {"address": worker}),
        ("/api/v1/workers/drain", {"Host": "evil.example", **bearer(ADMIN_TOKEN)}, {"address": worker}),
        ("/register_worker", {"Content-Type": "text/plain", **bearer(REGISTRATION_TOKEN)},
         {"worker_name": f"http://{HOST}:{fleet.dead}/csrf", "check_heart_beat": False,
          "worker_status": {"model_names": ["csrf-model"], "speed": 1, "queue_length": 0}}),
        ("/refresh_all_workers", {"Content-Type": "text/plain", **bearer(ADMIN_TOKEN)}, {}),
    ]
    for path, headers, body in cases:
        answer = attempt(category, path, lambda: request(fleet.controller, "POST", path, body, headers, category=category))
        if answer is not None:
            SUITE.check(category, 400 <= answer.status < 500 and openai_error(answer),
                        f"cross-site POST {path} with {[k for k in headers if k != 'Authorization']}: {answer.status} {answer.body[:100]!r}")
    for port, name in ((fleet.gateway, "gateway"), (fleet.controller, "controller"), (fleet.worker, "worker")):
        answer = attempt(category, name, lambda: request(port, "POST", "/admin/drain" if name == "worker" else "/api/v1/workers/drain",
                                                          {"address": worker}, {"Host": "evil.example:80", **bearer(ADMIN_TOKEN)}, category=category))
        if answer is not None:
            SUITE.check(category, 400 <= answer.status < 500, f"{name} POST with Host: evil.example: {answer.status}")
    # whatever happened, the worker serves again
    request(fleet.controller, "POST", "/api/v1/workers/undrain", {"address": worker}, bearer(ADMIN_TOKEN), category=category)
    request(fleet.worker, "POST", "/admin/undrain", {}, bearer(ADMIN_TOKEN), category=category)
    # listing worker addresses needs a token when one is set; the worker applies the gateway's limits
    answer = request(fleet.controller, "GET", "/api/v1/workers", category=category)
    SUITE.check(category, answer.status in (401, 403), f"GET /api/v1/workers without a token: {answer.status}")
    answer = request(fleet.worker, "POST", "/v1/chat/completions",
                     {"model": "upstream-model", "n": 1000, "messages": [{"role": "user", "content": "ok"}]}, category=category)
    SUITE.check(category, answer.status == 400, f"worker direct with n=1000 (the gateway allows 1..128): {answer.status}")
    fleet.unregister_strangers(category)


def crash_values(category, fleet, rng):
    chat = "/v1/chat/completions"
    jobs = []
    sim = [{"fail": 503, "retry_after": 1e300}, {"fail": 503, "retry_after": 1e16}, {"fail": 429, "retry_after": 1e300},
           {"fail": 429, "retry_after": 1e16}, {"fail": 503, "retry_after": -1e300}, {"fail": 503, "retry_after": 4.9e-324},
           {"stall": 1e300}, {"stall": 1e16}, {"stall": -1}, {"stall": 1e300, "stall_after": 1}, {"drop_after": 1e300},
           {"error_after": 9223372036854775808}, {"stall_after": -9223372036854775809, "stall": 1e300}, {"fail": 1e300},
           {"fail": 99999}, {"fail": 100}, {"fail": 200}, {"fail": -1}, {"drop_after": -1}, {"error_after": 0}]
    for fault in sim:
        for stream in (False, True):
            jobs.append((fleet.gateway, chat, json.dumps({**CHAT_BASE, "stream": stream, "switchyard_sim": fault}).encode(), f"sim {fault}"))
    for literal in ("Infinity", "-Infinity", "NaN", "1e999"):
        for field in ("retry_after", "stall"):
            body = ('{"model":"allowed","messages":[{"role":"user","content":"hi"}],"switchyard_sim":{"fail":503,"%s":%s}}' % (field, literal)).encode()
            jobs.append((fleet.gateway, chat, body, f"sim {field} {literal}"))
    for dimensions in ("999999999999999", "1e300", "9223372036854775808", "-1", "0", "1e16", "2147483648"):
        body = ('{"model":"allowed","input":"x","dimensions":%s}' % dimensions).encode()
        jobs.append((fleet.gateway, "/v1/embeddings", body, f"embeddings dimensions {dimensions}"))
        jobs.append((fleet.gateway, "/v1/embeddings", ('{"model":"allowed","input":"x","encoding_format":"base64","dimensions":%s}' % dimensions).encode(),
                     f"embeddings base64 dimensions {dimensions}"))
    for field, value in [("max_tokens", "1e300"), ("max_tokens", "9223372036854775807"), ("n", "9223372036854775807"), ("seed", "1e300"),
                         ("seed", "9223372036854775808"), ("temperature", "1e300"), ("top_logprobs", "1e16"), ("logit_bias", '{"1":1e300}')]:
        jobs.append((fleet.gateway, chat, ('{"model":"allowed","messages":[{"role":"user","content":"hi"}],"%s":%s}' % (field, value)).encode(), f"{field} {value}"))
    for field, value in [("max_tokens", "1e300"), ("n", "128"), ("best_of", "9223372036854775807")]:
        body = ('{"model":"allowed","prompt":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r"],"%s":%s}' % (field, value)).encode()
        jobs.append((fleet.gateway, "/v1/completions", body, f"completions {field} {value}"))
    jobs.append((fleet.gateway, "/v1/completions", json.dumps({"model": "allowed", "prompt": ["x"] * 1000, "n": 128}).encode(), "1000 prompts x n=128"))
    for value in ("[1.5]", '[["x"]]', "[[1e300]]", "[[-1]]", "[]", "[[]]", '[""]', "1e300", "[9223372036854775808]"):
        jobs.append((fleet.gateway, "/v1/embeddings", ('{"model":"allowed","input":%s}' % value).encode(), f"embeddings input {value}"))
    # through the real openai worker to the fake upstream, and straight to the fake as a rogue worker
    modes = list(UPSTREAM_MODES) + ["200-error", "usage-huge", "stream-garbage", "ok"]
    for model in ("upstream-model", "rogue-direct"):
        for mode in modes:
            for stream in (False, True):
                body = json.dumps({"model": model, "stream": stream, "stream_options": {"include_usage": True},
                                   "messages": [{"role": "user", "content": mode}]}).encode()
                jobs.append((fleet.gateway, chat, body, f"{model} upstream {mode} stream={stream}"))
    for mode in modes:
        body = json.dumps({"model": "upstream-model", "messages": [{"role": "user", "content": mode}]}).encode()
        jobs.append((fleet.worker, chat, body, f"worker direct, upstream {mode}"))

    answer = fleet.register(fleet.upstream.url, ["rogue-direct"], category)
    SUITE.check(category, answer.status == 200, f"registering the rogue worker: {answer.status} {answer.body[:200]!r}")
    refused = {"sim {'fail': 503, 'retry_after': 1e300}"}  # none: every case is judged the same way below
    del refused

    def send(job):
        port, path, body, what = job
        answer = attempt(category, what, lambda: request(port, "POST", path, body, bearer(FULL_KEY), category=category),
                         cut_allowed="drop_after" in what or "error_after" in what)
        if answer is None:
            return
        upstream_failure = "upstream" in what or "sim" in what or "absurd" in what
        # a rogue worker's own stream is relayed as it comes (only the worker's normaliser frames it)
        expect_client_answer(category, answer, what, allow=(502, 503, 504) if upstream_failure else (),
                             relayed=what.startswith("rogue-direct"))
        SUITE.check(category, answer.status != 500, f"{what}: 500 {answer.body[:200]!r}")
        retry_headers_sane(category, answer, what)
        if "dimensions" in what and answer.status == 200:
            SUITE.check(category, len(answer.body) < 50_000_000, f"{what}: {len(answer.body)} bytes")
        if "1000 prompts" in what:
            SUITE.check(category, answer.status == 400, f"{what}: {answer.status}, {len(answer.body)} bytes")
        if "embeddings input [1.5]" in what or "embeddings input [[\"x\"]]" in what:
            SUITE.check(category, answer.status == 400, f"{what}: {answer.status} (OpenAI: 400)")

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(send, jobs))
    fleet.unregister_strangers(category)


def xss_names(category, fleet, rng):
    # names registered by a (token-holding) worker, and names clients send
    answer = fleet.register(f"http://{HOST}:{fleet.dead}", XSS[:2], category)
    fleet.register(f'http://{HOST}:{fleet.dead}/"><img src=x onerror="window.__xss=1">', [XSS[2]], category)
    for name in XSS + ["<b>" + XSS[0]]:
        for path, body in [("/v1/chat/completions", {**CHAT_BASE, "model": name}), ("/v1/embeddings", {"model": name, "input": "x"}),
                           ("/v1/chat/completions", {**CHAT_BASE, "user": name}), ("/v1/completions", {"model": name, "prompt": name})]:
            response = attempt(category, f"chat as {name}", lambda: request(fleet.gateway, "POST", path, body, bearer(FULL_KEY), category=category))
            if response is not None:
                expect_client_answer(category, response, f"{path} model {name!r}", allow=(502, 503, 504))
    # battles and votes, so that names can reach the leaderboard
    for _ in range(3):
        battle = attempt(category, "battle", lambda: request(fleet.gateway, "POST", "/arena/battles",
                                                              {"messages": [{"role": "user", "content": XSS[0]}]}, bearer(FULL_KEY), category=category))
        match = re.search(rb'"battle_id":"([^"]+)"', battle.body if battle else b"")
        if match:
            request(fleet.gateway, "POST", f"/arena/battles/{match.group(1).decode()}/vote", {"winner": "a"}, bearer(FULL_KEY), category=category)
    pages = ["/", "/dashboard", "/arena", "/leaderboard"]
    for page in pages:
        for headers in ({}, bearer(FULL_KEY)):
            response = request(fleet.gateway, "GET", page, headers=headers, category=category)
            SUITE.check(category, response.status == 200, f"page {page}: {response.status}")
            for payload in XSS:
                SUITE.check(category, payload.encode() not in response.body, f"page {page} holds {payload!r} unescaped")
    for path in ["/api/v1/gateway/stats", "/api/v1/gateway/workers", "/arena/leaderboard", "/v1/models"]:
        response = request(fleet.gateway, "GET", path, headers=bearer(FULL_KEY), category=category)
        content_type = response.headers.get("content-type", "")
        SUITE.check(category, "html" not in content_type, f"{path} is served as {content_type}")
    browser_check(category, fleet)
    fleet.unregister_strangers(category)


def browser_check(category, fleet):
    """Renders each page in headless Chromium with the key set and the XSS names in the data;
    fails if any payload ran. Skipped (noted) without Selenium and Chromium."""
    try:
        import shutil
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
        if not chromium or not driver_path:
            raise ImportError("chromium")
    except ImportError:
        print("  (browser check skipped: Selenium or Chromium missing)", flush=True)
        return
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        base = f"http://{HOST}:{fleet.gateway}"
        driver.get(base + "/health")
        driver.execute_script("sessionStorage.setItem('switchyard-api-key', arguments[0]);", FULL_KEY)
        for page in ["/", "/leaderboard", "/arena"]:
            SUITE.count(category)
            try:
                driver.get(base + page)
                time.sleep(3)  # two dashboard polls; nothing is judged on time, only on what ran
                ran = driver.execute_script("return window.__xss === 1 || document.querySelector('img[onerror], svg[onload]') !== null;")
                SUITE.check(category, not ran, f"an XSS payload ran or was inserted as markup in {page}")
                if page == "/":
                    # the check means something only if the names reached the page: as text
                    text = driver.execute_script("return document.body.innerText;")
                    SUITE.check(category, XSS[0] in text, "the dashboard did not show the hostile names (as text) at all")
            except Exception as error:  # noqa: BLE001 - an unexpected dialog is a finding too
                SUITE.fail(category, f"browser on {page}: {type(error).__name__}: {str(error)[:200]}")
                try:
                    driver.switch_to.alert.dismiss()
                except Exception:  # noqa: BLE001
                    pass
    finally:
        driver.quit()


def memory(category, fleet, rng):
    # 20 requests with 2 MiB model names, and a 2 MiB user name
    name = "N" * (2 << 20)
    for index in range(20):
        answer = attempt(category, "2 MiB model name", lambda: request(
            fleet.gateway, "POST", "/v1/chat/completions", {**CHAT_BASE, "model": name + str(index)}, bearer(FULL_KEY), category=category))
        if answer is not None:
            SUITE.check(category, answer.status == 400 and len(answer.body) < 10000,
                        f"2 MiB model name: {answer.status}, {len(answer.body)} bytes back")
    stats = request(fleet.gateway, "GET", "/api/v1/gateway/stats", headers=bearer(FULL_KEY), category=category)
    SUITE.check(category, len(stats.body) < (1 << 20), f"/api/v1/gateway/stats is {len(stats.body)} bytes after long names")
    metrics = request(fleet.gateway, "GET", "/metrics", category=category)
    SUITE.check(category, len(metrics.body) < (4 << 20), f"/metrics is {len(metrics.body)} bytes after long names")
    # battles with 2 MiB messages
    for _ in range(8):
        answer = attempt(category, "arena 2 MiB", lambda: request(
            fleet.gateway, "POST", "/arena/battles", {"messages": [{"role": "user", "content": "w " * (1 << 20)}]},
            bearer(FULL_KEY), category=category))
        if answer is not None:
            expect_client_answer(category, answer, "arena battle with a 2 MiB message", allow=(503,))
    # stalled watch clients while the registry churns: first the churn alone, then with them
    models = [f"churn-model-{index}-" + "x" * 200 for index in range(200)]

    def churn(tag):
        for index in range(150):
            fleet.register(f"http://{HOST}:{fleet.dead}/{tag}{index}", models, category)
        fleet.unregister_strangers(category)

    alone_before = rss_mb(SUITE.processes["up"].pid)
    churn("alone")
    alone = rss_mb(SUITE.processes["up"].pid) - alone_before
    sockets = []
    for _ in range(5):
        sock = socket.create_connection((HOST, fleet.controller), timeout=5)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(f"GET /api/v1/workers/watch HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\r\n".encode())
        sockets.append(sock)
    before = rss_mb(SUITE.processes["up"].pid)
    churn("stalled")
    after = rss_mb(SUITE.processes["up"].pid)
    for sock in sockets:
        sock.close()
    SUITE.check(category, after - before < alone + 50,
                f"5 stalled watch clients: RSS {before:.0f} -> {after:.0f} MB during a churn of 150 registrations "
                f"(6 MB each in events) that alone grew it {alone:.0f} MB")


def connection_cap(category, fleet, rng):
    """Past --max-connections a listener answers 503 and closes (its documented behaviour); every
    connection gets an answer or a close, and once they go the listener serves again."""
    if not fleet.max_connections:
        print("  (connection cap skipped: no --max-connections option)", flush=True)
        return
    import selectors
    total = fleet.max_connections + 40
    selector = selectors.DefaultSelector()
    sockets, answers = [], {}
    for index in range(total):
        SUITE.count(category)
        try:
            sock = socket.create_connection((HOST, fleet.controller), timeout=10)
            sock.sendall(f"GET /test_connection HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, index)
            sockets.append(sock)
        except OSError as error:
            answers[index] = b"refused " + type(error).__name__.encode()
    deadline = time.monotonic() + 30  # generous: the listener runs with --idle-timeout 5
    while len(answers) < total and time.monotonic() < deadline:
        for key, _ in selector.select(1):
            try:
                answers[key.data] = key.fileobj.recv(4096) or b"closed"
            except OSError as error:
                answers[key.data] = b"closed " + type(error).__name__.encode()
            selector.unregister(key.fileobj)
    for sock in sockets:
        sock.close()
    turned_away = sum(1 for answer in answers.values() if answer.startswith((b"HTTP/1.1 503", b"refused")))
    silent = total - len(answers)
    SUITE.check(category, turned_away >= 20,
                f"{total} connections to the controller capped at --max-connections {fleet.max_connections}: "
                f"{turned_away} answered 503 or refused (help: 'past them a connection is answered 503 and closed')")
    SUITE.check(category, silent == 0, f"{silent} of {total} connections got neither an answer nor a close in 30 s")
    answer = attempt(category, "after the cap", lambda: request(fleet.controller, "GET", "/test_connection", category=category))
    SUITE.check(category, answer is not None and answer.status == 200, "the controller serves again once the connections closed")


def metrics_and_logs(category, fleet, rng):
    """What the suite did must not read as server errors, departed workers keep no series, and
    repeated error lines are rate-limited."""
    for port, name in ((fleet.gateway, "up"), (fleet.worker, "worker")):
        text = request(port, "GET", "/metrics", category=category).body.decode("utf-8", "replace")
        errors = [line for line in text.splitlines() if re.search(r'_requests_total\{[^}]*status="500"', line)]
        SUITE.check(category, not errors, f"{name} /metrics counts 500s after hostile input only: {errors[:3]}")
        if name == "up":
            departed = [line for line in text.splitlines() if "/churn" in line or "/absurd" in line or f":{fleet.dead}" in line]
            SUITE.check(category, not departed, f"/metrics keeps {len(departed)} series of departed workers: {departed[:2]}")
    for log in ("up.log", "worker.log"):
        size = os.path.getsize(pathlib.Path(fleet.workdir, log))
        SUITE.check(category, size < 8 * 1024 * 1024, f"{log} grew to {size / 1e6:.1f} MB during the suite")


# ----------------------------------------------------------------------------------------------

def kill_leftovers():
    for process in SUITE.processes.values():
        if process.poll() is None:
            process.kill()


def main():
    import atexit
    atexit.register(kill_leftovers)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if not os.path.exists(BINARY):
        raise SystemExit(f"no binary at {BINARY}; build first or set SWITCHYARD_BIN")
    started = time.monotonic()
    rng = random.Random(SEED)
    workdir = tempfile.mkdtemp(prefix="switchyard-hostile-")
    fleet = Fleet(workdir)
    print(f"hostile suite: seed {SEED}, logs in {workdir}", flush=True)
    fleet.start()
    pids = {name: process.pid for name, process in SUITE.processes.items()}
    rss_start = {name: rss_mb(pid) for name, pid in pids.items()}
    slow = Slowloris(fleet)
    slow.start()
    run_category("json fuzz /v1", fuzz_v1, fleet, rng)
    run_category("json fuzz controller", fuzz_controller, fleet, rng)
    run_category("json fuzz arena", fuzz_arena, fleet, rng)
    run_category("malformed http", malformed_http, fleet, rng)
    run_category("oversized + expect", oversized, fleet, rng)
    run_category("duplicate keys", duplicate_keys, fleet, rng)
    run_category("rogue registrations", rogue_registrations, fleet, rng)
    run_category("cross-site + rebinding", cross_site, fleet, rng)
    run_category("crash values", crash_values, fleet, rng)
    run_category("xss names", xss_names, fleet, rng)
    run_category("memory", memory, fleet, rng)
    run_category("slowloris", lambda name, fleet: (slowloris_meanwhile(name, fleet), slow.finish(name)), fleet)
    run_category("connection cap", connection_cap, fleet, rng)
    run_category("metrics + logs", metrics_and_logs, fleet, rng)
    rss_end = {name: rss_mb(pid) for name, pid in pids.items()}
    growth = {name: (rss_end[name] or 0) - (rss_start[name] or 0) for name in pids}
    memory_category = SUITE.category("memory")
    for name, grown in growth.items():
        SUITE.check("memory", grown < RSS_BOUND_MB, f"{name} RSS grew {grown:.0f} MB over the suite (bound {RSS_BOUND_MB})")
    del memory_category
    dead = SUITE.alive()
    codes = fleet.stop()

    total_requests = sum(c.requests for c in SUITE.categories.values())
    total_failures = sum(len(c.failures) for c in SUITE.categories.values())
    print()
    print(f"{'category':<24} {'requests':>8} {'failures':>8}  {'alive':<10} {'up RSS MB before → after':>26}")
    for c in SUITE.categories.values():
        rss = f"{c.rss_before or 0:.0f} → {c.rss_after or 0:.0f}" if c.rss_before else "-"
        print(f"{c.name:<24} {c.requests:>8} {len(c.failures):>8}  {c.alive:<10} {rss:>26}")
    print(f"{'total':<24} {total_requests:>8} {total_failures:>8}  {'all' if not dead else 'DEAD':<10} "
          + ", ".join(f"{name} {rss_start[name] or 0:.0f} → {rss_end[name] or 0:.0f}" for name in pids))
    print(f"canary hits: internal {fleet.canary_internal.hits}, redirecting {fleet.canary_redirect.hits}; "
          f"fake upstream requests {fleet.upstream.requests}; exit codes {codes}; {time.monotonic() - started:.0f} s")
    failed = total_failures > 0 or dead or any(code != 0 for code in codes.values())
    if total_failures:
        print("\nFAILURES")
        for c in SUITE.categories.values():
            for message in c.failures[:25]:
                print(f"- [{c.name}] {message}")
            if len(c.failures) > 25:
                print(f"- [{c.name}] … and {len(c.failures) - 25} more")
    if any(code != 0 for code in codes.values()):
        print(f"\nprocesses did not exit cleanly on SIGTERM: {codes}")
    print(f"\nlogs: {workdir}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
