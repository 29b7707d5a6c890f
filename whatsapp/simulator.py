"""A Meta Graph API counterpart on loopback, for development and tests.

It answers the calls Fluxo makes to ``graph.facebook.com`` with the same shapes and error envelopes, checks the
bearer token and ``appsecret_proof`` like Meta does, and signs the webhooks it sends back with the App Secret.
Point ``META_GRAPH_URL`` at it (``manage.py meta_simulator`` runs one). Faults can be queued to rehearse failures.

Only the standard library: it must start in a test in milliseconds and never reach the internet.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_VERSION = r"/v\d+\.\d+"


@dataclass
class Fault:
    """One queued failure: the next matching call answers ``status`` with a Graph error envelope."""

    status: int
    code: int
    message: str
    path_contains: str = ""
    error_subcode: int | None = None


@dataclass
class GraphSimulator:
    access_token: str = "sim-access-token"  # noqa: S105 — the simulator's own fake token
    app_secret: str = ""
    host: str = "127.0.0.1"
    port: int = 0
    leads: dict[str, dict] = field(default_factory=dict)
    calls: list[dict] = field(default_factory=list)
    _faults: deque = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------------------------
    def start(self) -> GraphSimulator:
        simulator = self

        class Handler(_Handler):
            sim = simulator

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="graph-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def serve_forever(self) -> None:
        self.start()
        try:
            while True:
                time.sleep(3600)
        finally:
            self.stop()

    def __enter__(self) -> GraphSimulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- state --------------------------------------------------------------------------------------------------
    def fault_push(self, *, status: int, code: int, message: str, path_contains: str = "", times: int = 1) -> None:
        with self._lock:
            for _ in range(times):
                self._faults.append(Fault(status, code, message, path_contains))

    def _fault_take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in list(self._faults):
                if fault.path_contains in path:
                    self._faults.remove(fault)
                    return fault
        return None

    # --- lead ads -----------------------------------------------------------------------------------------------
    def lead_add(
        self,
        leadgen_id: str,
        *,
        answers: dict[str, str | list[str]],
        page_id: str = "100000000000001",
        form_id: str = "200000000000001",
        ad_id: str = "300000000000001",
        adset_id: str = "400000000000001",
        campaign_id: str = "500000000000001",
        platform: str = "fb",
        is_organic: bool = False,
    ) -> dict:
        """Register a submitted lead (what Graph answers for ``GET /{leadgen_id}``); returns it."""
        lead = {
            "id": leadgen_id,
            "created_time": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime()),
            "ad_id": ad_id,
            "adset_id": adset_id,
            "campaign_id": campaign_id,
            "form_id": form_id,
            "platform": platform,
            "is_organic": is_organic,
            "field_data": [
                {"name": name, "values": value if isinstance(value, list) else [value]}
                for name, value in answers.items()
            ],
            "_page_id": page_id,
        }
        with self._lock:
            self.leads[leadgen_id] = lead
        return lead

    def leadgen_notification(self, leadgen_id: str) -> bytes:
        """The ``leadgen`` webhook body Meta posts for a registered lead (compact JSON, like Meta's)."""
        lead = self.leads[leadgen_id]
        now = int(time.time())
        body = {
            "object": "page",
            "entry": [
                {
                    "id": lead["_page_id"],
                    "time": now,
                    "changes": [
                        {
                            "field": "leadgen",
                            "value": {
                                "ad_id": lead["ad_id"],
                                "form_id": lead["form_id"],
                                "leadgen_id": leadgen_id,
                                "created_time": now,
                                "page_id": lead["_page_id"],
                                "adgroup_id": lead["ad_id"],
                            },
                        }
                    ],
                }
            ],
        }
        return json.dumps(body, separators=(",", ":")).encode()

    def signature(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()

    # --- request handling ---------------------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict[str, str], headers, body: bytes) -> tuple[int, dict]:
        self.calls.append({"method": method, "path": path, "query": query})
        token = query.get("access_token") or headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token != self.access_token:
            return 401, _error(190, "Invalid OAuth access token - Cannot parse access token", "OAuthException")
        if self.app_secret:
            expected = hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(query.get("appsecret_proof", ""), expected):
                return 400, _error(100, "Invalid appsecret_proof provided in the API argument", "GraphMethodException")
        fault = self._fault_take(path)
        if fault:
            return fault.status, _error(fault.code, fault.message, "OAuthException")
        match = re.fullmatch(rf"{_VERSION}/(\d+)", path)
        if method == "GET" and match:
            return self._object_get(match.group(1), query)
        return 400, _error(100, f"Unsupported {method.lower()} request.", "GraphMethodException")

    def _object_get(self, object_id: str, query: dict[str, str]) -> tuple[int, dict]:
        lead = self.leads.get(object_id)
        if lead is None:
            return 400, _error(
                100,
                f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
                "missing permissions, or does not support this operation.",
                "GraphMethodException",
                subcode=33,
            )
        wanted = [f for f in query.get("fields", "").split(",") if f] or ["id", "created_time", "field_data"]
        return 200, {key: lead[key] for key in ["id", *wanted] if key in lead}


def _error(code: int, message: str, kind: str, subcode: int | None = None) -> dict:
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": "Sim" + hex(time.time_ns())[-10:]}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


class _Handler(BaseHTTPRequestHandler):
    sim: GraphSimulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # request lines carry personal data: never logged
        return

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if body and self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            query.update({key: values[-1] for key, values in parse_qs(body.decode()).items()})
        status, payload = self.sim.handle(method, parts.path, query, self.headers, body)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")
