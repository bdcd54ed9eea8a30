"""An HTTP endpoint on 127.0.0.1 that speaks Ollama's API, serving a GGUF through llama.cpp.

For tests and demos on machines without Ollama: `/api/tags`, `/api/chat` and `/api/generate`,
streaming (NDJSON, the default) and not. Production runs the real Ollama.

    python tests/ollama_server.py --port 11434 --model /path/model.gguf --name qwen2.5-coder:1.5b
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from llama_cpp import Llama


class OllamaLike:
    def __init__(self, model_path: Path, name: str) -> None:
        self.name = name
        self.llm = Llama(model_path=str(model_path), n_ctx=4096, n_threads=2, verbose=False)
        self.lock = threading.Lock()

    def complete(self, prompt: str, options: dict):
        with self.lock:
            yield from (c["choices"][0]["text"] for c in self.llm(
                prompt, max_tokens=int(options.get("num_predict", 128)),
                temperature=float(options.get("temperature", 0.0)), stream=True))

    def chat(self, messages: list[dict], options: dict):
        """Messages rendered with the chat template stored in the GGUF, as Ollama does."""
        with self.lock:
            for chunk in self.llm.create_chat_completion(
                    messages=messages, max_tokens=int(options.get("num_predict", 128)),
                    temperature=float(options.get("temperature", 0.0)), stream=True):
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece


def make_handler(backend: OllamaLike):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/api/tags":
                self._json(200, {"models": [{"name": backend.name, "model": backend.name}]})
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            request = json.loads(self.rfile.read(length) or b"{}")
            if request.get("model") != backend.name:
                self._json(404, {"error": f"model '{request.get('model')}' not found"})
                return
            options = request.get("options", {})
            if self.path == "/api/chat":
                pieces = backend.chat(request.get("messages", []), options)
                chat = True
            elif self.path == "/api/generate":
                prompt = (request.get("system", "") + "\n\n" + request.get("prompt", "")).strip()
                pieces = backend.complete(prompt, options)
                chat = False
            else:
                self._json(404, {"error": "not found"})
                return

            def frame(text: str, done: bool) -> dict:
                body = {"model": backend.name, "done": done}
                if chat:
                    body["message"] = {"role": "assistant", "content": text}
                else:
                    body["response"] = text
                return body

            if not request.get("stream", True):
                self._json(200, frame("".join(pieces), True))
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            for piece in pieces:
                self.wfile.write((json.dumps(frame(piece, False)) + "\n").encode())
                self.wfile.flush()
            self.wfile.write((json.dumps(frame("", True)) + "\n").encode())

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--name", default="qwen2.5-coder:1.5b")
    args = parser.parse_args()
    handler = make_handler(OllamaLike(args.model, args.name))
    server = ThreadingHTTPServer((args.host, args.port), handler)
    print(f"listening on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
