"""An OpenAI-compatible test server on loopback: the LLM counterpart for development, tests and benchmarks, as the
WhatsApp simulator is Meta's. It speaks ``POST /v1/chat/completions`` the way the ``openai`` SDK expects, answers
with JSON built by Fluxo's local engine, and reports token usage with OpenAI's prompt-caching rule (prompts of
1,024 tokens or more; the longest prefix already seen, in 128-token steps, counts as ``cached_tokens``).

Scripted behaviours for tests: ``POST /_control {"script": ["invalid", "slow", "429", "500", "valid", ...],
"delay_s": 2}`` queues what the next requests get; ``GET /_stats`` and ``POST /_reset``. Run it with
``python manage.py ai_test_server``."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ai_middleware.local import local_engine

CHARS_PER_TOKEN = 4
CACHE_MIN_TOKENS = 1024
CACHE_STEP_TOKENS = 128
_MESSAGE = re.compile(r'"""(.*)"""', re.S)


def _tokens(text: str) -> int:
    return max(1, (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN) if text else 0


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.script: deque[str] = deque()
        self.delay_s = 2.0
        self.requests = 0
        self.prefixes: set[str] = set()
        self.last_body: dict = {}

    def next_behaviour(self) -> str:
        with self.lock:
            self.requests += 1
            return self.script.popleft() if self.script else "valid"

    def cached_tokens(self, prompt: str) -> int:
        """OpenAI's rule: ≥ 1,024 prompt tokens; the longest previously seen prefix, in 128-token increments."""
        total = _tokens(prompt)
        step = CACHE_STEP_TOKENS * CHARS_PER_TOKEN
        boundaries = list(range(step, len(prompt) + 1, step))
        hashes = [hashlib.sha256(prompt[:end].encode()).hexdigest() for end in boundaries]
        with self.lock:
            hit = 0
            for index, digest in enumerate(hashes):
                if digest in self.prefixes:
                    hit = (index + 1) * CACHE_STEP_TOKENS
            if total >= CACHE_MIN_TOKENS:
                self.prefixes.update(hashes)
        return hit if total >= CACHE_MIN_TOKENS and hit >= CACHE_MIN_TOKENS else 0


_OBJECTIONS = re.compile(r"Objeções e a resposta da equipe: (\{.*?\})\n", re.S)


def _objections(user: str) -> dict:
    found = _OBJECTIONS.search(user)
    try:
        return json.loads(found.group(1)) if found else {}
    except ValueError:
        return {}


def _answer(messages: list[dict]) -> str:
    """What a well-behaved model would answer, by task (read from the system prompt)."""
    system = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
    user = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
    if "extrair fatos" in system:
        # The customer's message is quoted in the task's user turn (a repair turn comes after it).
        quoted = [
            found.group(1) for m in messages if m.get("role") == "user" and (found := _MESSAGE.search(m["content"]))
        ]
        extraction = local_engine().extract(quoted[-1] if quoted else user)
        return json.dumps(extraction.model_dump(), ensure_ascii=False)
    if "sugerir respostas" in system:
        drafts = [{"text": "Oi! Posso te enviar as plantas e a tabela de valores por aqui?", "handles": []}]
        if "ECPR" in system:  # a prompt that asks for ECPR gets objections answered in that frame
            for objection, answer in list(_objections(user).items())[:2]:
                drafts.append(
                    {
                        "text": "",
                        "handles": [objection],
                        "ecpr": {
                            "empathize": "Entendo perfeitamente a sua preocupação.",
                            "clarify": "O que pesa mais para você nesse ponto?",
                            "present": answer,
                            "confirm": "Isso ajuda?",
                        },
                    }
                )
        if len(drafts) < 2:
            drafts.append({"text": "Se preferir, marcamos uma visita amanhã às 10h ou às 16h. Qual fica melhor?"})
        return json.dumps({"drafts": drafts}, ensure_ascii=False)
    if "modelo de mensagem" in system:
        business = re.search(r"Empresa: (.+)", user)
        return json.dumps(
            {
                "text": "Oi, {{1}}! Temos novidades no lançamento que você acompanhou. Quer receber as plantas? "
                f"Equipe {business.group(1).strip() if business else 'Fluxo'}. Para não receber mais mensagens, "
                "responda SAIR."
            },
            ensure_ascii=False,
        )
    return "{}"


def _handler(state: _State, api_key: str | None):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet: tests and benchmarks read /_stats instead
            pass

        def _json(self, status: int, body: dict, headers: dict | None = None) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def do_GET(self) -> None:
            if self.path == "/_stats":
                with state.lock:
                    self._json(200, {"requests": state.requests, "queued": list(state.script)})
                return
            if self.path.rstrip("/") == "/v1/models":
                self._json(200, {"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model"}]})
                return
            self._json(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            body = self._body()
            if self.path == "/_control":
                with state.lock:
                    state.script.extend(body.get("script") or [])
                    state.delay_s = float(body.get("delay_s", state.delay_s))
                self._json(200, {"queued": len(state.script)})
                return
            if self.path == "/_reset":
                with state.lock:
                    state.script.clear()
                    state.requests = 0
                    state.prefixes.clear()
                self._json(200, {"ok": True})
                return
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._json(404, {"error": {"message": f"unknown path {self.path}"}})
                return
            if api_key and self.headers.get("Authorization") != f"Bearer {api_key}":
                self._json(401, {"error": {"message": "invalid api key", "type": "invalid_request_error"}})
                return
            behaviour = state.next_behaviour()
            state.last_body = body
            if behaviour == "429":
                self._json(
                    429,
                    {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}},
                    {"retry-after": "1"},
                )
                return
            if behaviour == "500":
                self._json(500, {"error": {"message": "The server had an error", "type": "server_error"}})
                return
            if behaviour == "slow":
                time.sleep(state.delay_s)
            messages = body.get("messages") or []
            prompt = "".join(str(m.get("content", "")) for m in messages)
            content = _answer(messages)
            if behaviour == "invalid":
                content = "Claro! Aqui está: intent=interested, orçamento alto"
            elif behaviour == "invalid_json":
                content = json.dumps({"intent": "maybe", "drafts": [], "text": ""})
            prompt_tokens = _tokens(prompt) + 4 * len(messages)
            self._json(
                200,
                {
                    "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model") or "gpt-4o-mini",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": prompt_tokens,
                        "completion_tokens": _tokens(content),
                        "total_tokens": prompt_tokens + _tokens(content),
                        "prompt_tokens_details": {"cached_tokens": state.cached_tokens(prompt)},
                    },
                },
            )

    return Handler


class OpenAITestServer:
    """``with OpenAITestServer() as server: server.base_url`` → ``http://127.0.0.1:PORT/v1``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, api_key: str | None = "test-key"):
        self.state = _State()
        self.api_key = api_key
        self.httpd = ThreadingHTTPServer((host, port), _handler(self.state, api_key))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="openai-test-server", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *behaviours: str, delay_s: float | None = None) -> None:
        with self.state.lock:
            self.state.script.extend(behaviours)
            if delay_s is not None:
                self.state.delay_s = delay_s

    @property
    def requests(self) -> int:
        with self.state.lock:
            return self.state.requests

    def reset(self) -> None:
        with self.state.lock:
            self.state.script.clear()
            self.state.requests = 0
            self.state.prefixes.clear()

    def start(self) -> OpenAITestServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> OpenAITestServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
