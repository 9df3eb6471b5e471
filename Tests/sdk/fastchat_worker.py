"""A TEST-ONLY FastChat-protocol worker: SmolLM2 through llama-cpp-python's raw completion,
served with FastChat's worker API (`/worker_generate_stream` with NUL-framed cumulative text,
`/worker_generate`, `/worker_get_conv_template`, `/model_details`, `/count_token`,
`/worker_get_status`), registered with a controller as FastChat's own workers register.

FastChat 0.2.36 has no SmolLM2 template (nor one named `chatml`); SmolLM2 uses ChatML, so the
worker reports a CHATML-style template named `chatml` with SmolLM2's system message and stop.

    python fastchat_worker.py --controller URL --model-name NAME --model PATH.gguf
"""
import argparse
import dataclasses
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import llama_cpp
from fastchat.conversation import Conversation, SeparatorStyle

CONTEXT = 2048


class Worker:
    def __init__(self, model_path: str, model_name: str):
        self.llm = llama_cpp.Llama(model_path=model_path, n_ctx=CONTEXT, n_threads=2, verbose=False)
        self.model_name = model_name
        self.lock = threading.Lock()  # one generation at a time: llama.cpp's context is not shared
        conv = dataclasses.asdict(Conversation(
            name="chatml", system_template="<|im_start|>system\n{system_message}",
            system_message="You are a helpful AI assistant named SmolLM, trained by Hugging Face",
            roles=("<|im_start|>user", "<|im_start|>assistant"), sep_style=SeparatorStyle.CHATML,
            sep="<|im_end|>", stop_str="<|im_end|>", stop_token_ids=[2],
        ))
        conv["sep_style"] = int(conv["sep_style"])
        self.conv = conv

    def tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def generate(self, params: dict):
        """FastChat's generate_stream contract: cumulative text, usage in each object, a last one with finish_reason."""
        prompt = params["prompt"]
        stop = params.get("stop") or []
        prompt_tokens = self.tokens(prompt)
        text, completion_tokens, finish = "", 0, None
        with self.lock:
            for piece in self.llm(
                prompt, stream=True, max_tokens=int(params.get("max_new_tokens") or 256),
                temperature=float(params.get("temperature", 1.0)), top_p=float(params.get("top_p", 1.0)),
                top_k=max(0, int(params.get("top_k", -1))), stop=stop if isinstance(stop, list) else [stop],
            ):
                choice = piece["choices"][0]
                text += choice["text"]
                completion_tokens += 1
                finish = choice["finish_reason"]
                usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                         "total_tokens": prompt_tokens + completion_tokens}
                yield {"text": text, "error_code": 0, "usage": usage, "finish_reason": None}
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                 "total_tokens": prompt_tokens + completion_tokens}
        yield {"text": text, "error_code": 0, "usage": usage, "finish_reason": finish or "stop"}


def handler(worker: Worker):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def body(self) -> dict:
            length = int(self.headers.get("content-length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def reply(self, value):
            data = json.dumps(value).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            params = self.body()
            if self.path == "/worker_get_status":
                self.reply({"model_names": [worker.model_name], "speed": 1, "queue_length": 0})
            elif self.path == "/worker_get_conv_template":
                self.reply({"conv": worker.conv})
            elif self.path == "/model_details":
                self.reply({"context_length": CONTEXT})
            elif self.path == "/count_token":
                self.reply({"count": worker.tokens(params["prompt"]), "error_code": 0})
            elif self.path == "/worker_generate":
                *_, last = worker.generate(params)
                self.reply(last)
            elif self.path == "/worker_generate_stream":
                self.send_response(200)
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                for item in worker.generate(params):
                    data = json.dumps(item).encode() + b"\0"
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send_error(404)

    return Handler


def register(controller: str, address: str, model_name: str):
    """FastChat's registration, without Switchyard's `api` field: the gateway must speak FastChat to it."""
    body = {"worker_name": address, "check_heart_beat": False,
            "worker_status": {"model_names": [model_name], "speed": 1, "queue_length": 0}}
    request = urllib.request.Request(controller + "/register_worker", data=json.dumps(body).encode(),
                                     headers={"content-type": "application/json"})
    urllib.request.urlopen(request, timeout=10).read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--controller", required=True)
    parser.add_argument("--model-name", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    worker = Worker(args.model, args.model_name)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(worker))
    address = f"http://127.0.0.1:{server.server_address[1]}"
    register(args.controller, address, args.model_name)
    print(f"fastchat test worker listening on {address}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
