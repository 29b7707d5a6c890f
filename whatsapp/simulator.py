"""A Meta Graph API counterpart on loopback, for development and tests.

It answers the calls Fluxo makes to ``graph.facebook.com`` with the same shapes and error envelopes, checks the
bearer token and ``appsecret_proof`` like Meta does, and signs the webhooks it sends back with the App Secret.
Point ``META_GRAPH_URL`` at it (``manage.py meta_simulator`` runs one). Faults can be queued to rehearse failures.

Only the standard library: it must start in a test in milliseconds and never reach the internet.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import http.client
import json
import random
import re
import secrets
import threading
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from common.meta import meta_appsecret_proof, meta_signature

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
    webhook_url: str | None = None  # where signed webhooks go; None: kept in ``webhooks`` for the caller
    throughput_mps: int = 80  # per business number, like Meta's default (→ 130429)
    pair_interval_s: float = 6.0  # same number → same recipient (→ 131056)
    status_delay_s: float = 0.05  # before "sent"; delivered and read follow
    shuffle_statuses: float = 0.0  # probability that a message's statuses arrive out of order
    duplicate_statuses: float = 0.0  # probability that a status is delivered twice
    read_probability: float = 1.0
    auto_reply: float = 0.0  # probability that a read message gets an answer from the "customer"
    latency_s: float = 0.0  # added to every API answer
    fail_rate: float = 0.0  # share of sends answered with a generic 131000 failure
    inject_limits: float = 0.0  # share of sends answered with 130429 or 131056 although within the limits
    status_steps: tuple[str, ...] = ("sent", "delivered", "read")
    seed: int = 7
    leads: dict[str, dict] = field(default_factory=dict)
    numbers: dict[str, dict] = field(default_factory=dict)  # phone-number id → {"display", "waba"}
    templates: dict[str, list[dict]] = field(default_factory=dict)  # waba id → templates
    media: dict[str, dict] = field(default_factory=dict)
    sent: list[dict] = field(default_factory=list)
    receipts: list[dict] = field(default_factory=list)  # read receipts Fluxo sent for inbound messages
    webhooks: list[bytes] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)
    _faults: deque = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _sends: dict = field(default_factory=dict)  # phone-number id → deque of send times (1 s window)
    _pairs: dict = field(default_factory=dict)  # (phone-number id, recipient) → last send time
    _timers: list = field(default_factory=list)
    _accepted: dict = field(default_factory=dict)  # phone-number id → send times (monotonic), for stats()
    _refused: dict = field(default_factory=dict)  # error code → count
    _opaque: dict = field(default_factory=dict)  # biz_opaque_callback_data → times accepted
    _drops: int = 0  # sends still to accept without answering (drop_after_accept)
    _due: list = field(default_factory=list)  # heap of (when, sequence, body) webhooks waiting to go
    _due_ready: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._sequence = 0

    # --- lifecycle ----------------------------------------------------------------------------------------------
    def start(self) -> GraphSimulator:
        simulator = self

        class Handler(_Handler):
            sim = simulator

        self._server = _Server((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="graph-simulator", daemon=True)
        self._thread.start()
        self._stopping = False
        if self.webhook_url:
            for index in range(4):
                threading.Thread(target=self._deliverer, name=f"graph-simulator-webhooks-{index}", daemon=True).start()
        return self

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        with self._due_ready:
            self._due.clear()
            self._stopping = True
            self._due_ready.notify_all()
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

    def drop_after_accept(self, times: int = 1) -> None:
        """The next ``times`` sends are accepted (recorded, their statuses scheduled) and the connection is then
        dropped without an answer: the sender cannot know Meta has the message (a read timeout, a reset)."""
        with self._lock:
            self._drops += times

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
        return meta_signature(body=body, app_secret=self.app_secret)

    def stats(self) -> dict:
        """What an auditor of Fluxo's sending would count: per number, messages accepted and the most accepted in
        any one-second window; refusals by error code; biz_opaque_callback_data values accepted more than once."""
        with self._lock:
            numbers = {}
            for number_id, times in self._accepted.items():
                ordered, peak, start = sorted(times), 0, 0
                for end, moment in enumerate(ordered):
                    while moment - ordered[start] >= 1.0:
                        start += 1
                    peak = max(peak, end - start + 1)
                numbers[number_id] = {
                    "accepted": len(ordered),
                    "max_in_1s": peak,
                    "first": ordered[0] if ordered else None,
                    "last": ordered[-1] if ordered else None,
                    "times": ordered,
                }
            return {
                "numbers": numbers,
                "refused": {str(code): count for code, count in self._refused.items()},
                "duplicates": sum(count - 1 for count in self._opaque.values() if count > 1),
                "opaque_accepted": len(self._opaque),
                "now": time.monotonic(),
            }

    def stats_reset(self) -> None:
        with self._lock:
            self._accepted.clear()
            self._refused.clear()
            self._opaque.clear()
            self.sent.clear()
            self.calls.clear()

    # --- WhatsApp Cloud API -------------------------------------------------------------------------------------
    def number_add(self, phone_number_id: str, display: str, waba_id: str = "WABA1") -> None:
        with self._lock:
            self.numbers[phone_number_id] = {"display": display.lstrip("+"), "waba": waba_id}

    def template_add(self, waba_id: str, template: dict) -> dict:
        template = {"id": str(len(self.templates.get(waba_id, [])) + 900_000), **template}
        with self._lock:
            self.templates.setdefault(waba_id, []).append(template)
        return template

    def media_add(self, content: bytes, mime_type: str, *, url: str = "", redirect_to: str = "") -> str:
        """A media object. ``url`` replaces the download URL its Graph answer gives (a hostile or broken answer
        pointing elsewhere); ``redirect_to`` makes the download answer a 302 to that address."""
        media_id = str(1_000_000_000 + len(self.media))
        with self._lock:
            self.media[media_id] = {"content": content, "mime_type": mime_type, "url": url, "redirect_to": redirect_to}
        return media_id

    def _message_send(self, number_id: str, payload: dict) -> tuple[int, dict]:
        if payload.get("status") == "read":
            with self._lock:
                self.receipts.append({"number": number_id, "wamid": payload.get("message_id")})
            return 200, {"success": True}
        to = str(payload.get("to") or "")
        if payload.get("messaging_product") != "whatsapp" or not to or payload.get("type") not in _MESSAGE_TYPES:
            return 400, _error(100, "Invalid parameter", "OAuthException")
        now = time.monotonic()
        with self._lock:
            window = self._sends.setdefault(number_id, deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            code = None
            if len(window) >= self.throughput_mps:
                code = 130429
            elif (last := self._pairs.get((number_id, to))) is not None and now - last < self.pair_interval_s:
                code = 131056
            elif self.inject_limits and self._random.random() < self.inject_limits:
                code = self._random.choice((130429, 131056))
            elif self.fail_rate and self._random.random() < self.fail_rate:
                code = 131000
            if code is not None:
                self._refused[code] = self._refused.get(code, 0) + 1
                return 400, _error(code, _ERROR_TITLES[code], "OAuthException")
            window.append(now)
            self._pairs[(number_id, to)] = now
            self._accepted.setdefault(number_id, []).append(now)
            opaque = payload.get("biz_opaque_callback_data")
            if opaque:
                self._opaque[opaque] = self._opaque.get(opaque, 0) + 1
            wamid = "wamid.HBgN" + secrets.token_hex(16).upper()
            self.sent.append({"wamid": wamid, "number": number_id, "payload": payload})
            dropped = self._drops > 0
            self._drops -= dropped
        self._statuses_schedule(number_id, to, wamid, payload.get("biz_opaque_callback_data"))
        if dropped:
            return 200, {"_drop": True}
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [
                {"id": wamid, **({"message_status": "accepted"} if payload.get("type") == "template" else {})}
            ],
        }

    def _media_upload(self, headers, body: bytes) -> tuple[int, dict]:
        content_type = headers.get("Content-Type", "")
        boundary = content_type.split("boundary=")[-1].encode()
        for part in body.split(b"--" + boundary):
            head, _sep, data = part.partition(b"\r\n\r\n")
            if b'name="file"' in head:
                mime = re.search(rb"Content-Type: ([^\r\n]+)", head)
                media_id = self.media_add(data.rstrip(b"\r\n"), (mime.group(1) if mime else b"").decode())
                return 200, {"id": media_id}
        return 400, _error(100, "No file in the upload", "OAuthException")

    def _templates_list(self, waba_id: str, query: dict[str, str]) -> tuple[int, dict]:
        items = self.templates.get(waba_id, [])
        limit = int(query.get("limit") or 25)
        start = int(query.get("after") or 0)
        page = items[start : start + limit]
        body: dict = {"data": page, "paging": {"cursors": {"before": str(start), "after": str(start + len(page))}}}
        if start + limit < len(items):
            body["paging"]["next"] = f"{self.url}/v24.0/{waba_id}/message_templates?after={start + limit}"
        return 200, body

    def _statuses_schedule(self, number_id: str, to: str, wamid: str, opaque: str | None = None) -> None:
        steps = [step for step in self.status_steps if step != "read" or self._random.random() < self.read_probability]
        if self._random.random() < self.shuffle_statuses:
            self._random.shuffle(steps)
        for index, status in enumerate(steps):
            copies = 2 if self._random.random() < self.duplicate_statuses else 1
            for _copy in range(copies):
                body = self.status_notification(number_id, to, wamid, status, opaque=opaque)
                self._later(self.status_delay_s * (index + 1), body)
        if "read" in steps and self._random.random() < self.auto_reply:
            answer = self._random.choice(_AUTO_REPLIES)
            body = self.inbound_notification(number_id, to, {"type": "text", "text": {"body": answer}})
            self._later(self.status_delay_s * (len(steps) + 20), body)

    def status_notification(
        self, number_id: str, to: str, wamid: str, status: str, error: dict | None = None, opaque: str | None = None
    ) -> bytes:
        value: dict = {
            "id": wamid,
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": to,
        }
        if status in ("sent", "delivered"):
            value["conversation"] = {"id": secrets.token_hex(16), "origin": {"type": "service"}}
            value["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service", "type": "regular"}
        if error:
            value["errors"] = [error]
        if opaque:
            value["biz_opaque_callback_data"] = opaque
        return self._envelope(number_id, {"statuses": [value]})

    def inbound_notification(
        self, number_id: str, wa_id: str, message: dict, *, name: str = "Cliente", referral: dict | None = None
    ) -> bytes:
        """An inbound message from ``wa_id``: ``message`` is the type-specific part, e.g.
        ``{"type": "text", "text": {"body": "Oi"}}``."""
        data = {"from": wa_id, "id": "wamid.HBgN" + secrets.token_hex(16).upper(), "timestamp": str(int(time.time()))}
        data.update(message)
        if referral:
            data["referral"] = referral
        return self._envelope(
            number_id, {"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": [data]}
        )

    def reply(self, number_id: str, wa_id: str, text: str, *, name: str = "Cliente") -> bytes:
        """Deliver (or keep) an inbound text reply, as a user answering on their phone."""
        body = self.inbound_notification(number_id, wa_id, {"type": "text", "text": {"body": text}}, name=name)
        self._deliver(body)
        return body

    def _control_inbound(self, data: dict) -> tuple[int, dict]:
        """Development only: make a "customer" send a text (POST /_simulator/inbound {phone_number_id, from, text})."""
        number_id = str(data.get("phone_number_id") or next(iter(self.numbers), ""))
        if number_id not in self.numbers or not data.get("from"):
            return 400, _error(100, "phone_number_id and from are required", "GraphMethodException")
        self.reply(
            number_id,
            str(data["from"]).lstrip("+"),
            str(data.get("text") or "Oi"),
            name=str(data.get("name") or "Cliente"),
        )
        return 200, {"delivered": True}

    def _envelope(self, number_id: str, value: dict) -> bytes:
        number = self.numbers.get(number_id, {"display": "", "waba": "WABA1"})
        envelope = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": number["waba"],
                    "changes": [
                        {
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": number["display"], "phone_number_id": number_id},
                                **value,
                            },
                            "field": "messages",
                        }
                    ],
                }
            ],
        }
        return json.dumps(envelope, separators=(",", ":"), ensure_ascii=True).encode()

    def _later(self, delay: float, body: bytes) -> None:
        if self.webhook_url is None:
            with self._lock:
                self.webhooks.append(body)
            return
        with self._due_ready:
            self._sequence += 1
            heapq.heappush(self._due, (time.monotonic() + delay, self._sequence, body))
            self._due_ready.notify()

    def _deliverer(self) -> None:
        """A few threads post due webhooks over keep-alive connections (not a thread per status)."""
        target = urlsplit(self.webhook_url)
        connection = None
        while True:
            with self._due_ready:
                while not self._stopping and (not self._due or self._due[0][0] > time.monotonic()):
                    self._due_ready.wait(timeout=(self._due[0][0] - time.monotonic()) if self._due else None)
                if self._stopping:
                    return
                _when, _sequence, body = heapq.heappop(self._due)
            for attempt in range(5):  # Meta retries too
                try:
                    connection = connection or http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                    connection.request(
                        "POST",
                        target.path or "/",
                        body=body,
                        headers={"Content-Type": "application/json", "X-Hub-Signature-256": self.signature(body)},
                    )
                    response = connection.getresponse()
                    response.read()
                    if response.status == 200:
                        break
                except (OSError, http.client.HTTPException):
                    connection = None
                    time.sleep(0.2 * 2**attempt)

    def _deliver(self, body: bytes) -> None:
        if self.webhook_url is None:
            with self._lock:
                self.webhooks.append(body)
            return
        request = urllib.request.Request(  # noqa: S310 — the configured loopback webhook URL
            self.webhook_url,
            data=body,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": self.signature(body)},
        )
        for attempt in range(5):  # Meta retries too
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2 * 2**attempt)

    # --- request handling ---------------------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict[str, str], headers, body: bytes) -> tuple[int, dict]:
        self.calls.append({"method": method, "path": path, "query": query})
        if method == "POST" and path == "/_simulator/inbound":
            return self._control_inbound(json.loads(body or b"{}"))
        if method == "GET" and path == "/_simulator/stats":
            return 200, self.stats()
        if method == "POST" and path == "/_simulator/stats/reset":
            self.stats_reset()
            return 200, {"reset": True}
        token = query.get("access_token") or headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token != self.access_token:
            return 401, _error(190, "Invalid OAuth access token - Cannot parse access token", "OAuthException")
        if self.app_secret and not path.endswith("/download"):  # media URLs take the bearer token alone
            expected = meta_appsecret_proof(token, self.app_secret)
            if not hmac.compare_digest(query.get("appsecret_proof", ""), expected):
                return 400, _error(100, "Invalid appsecret_proof provided in the API argument", "GraphMethodException")
        fault = self._fault_take(path)
        if fault:
            return fault.status, _error(fault.code, fault.message, "OAuthException")
        if self.latency_s:
            time.sleep(self.latency_s)
        match = re.fullmatch(rf"{_VERSION}/([\w.-]+)(?:/(\w+))?", path)
        if match:
            object_id, edge = match.groups()
            if method == "POST" and edge == "messages" and object_id in self.numbers:
                return self._message_send(object_id, json.loads(body or b"{}"))
            if method == "POST" and edge == "media" and object_id in self.numbers:
                return self._media_upload(headers, body)
            if method == "GET" and edge == "message_templates":
                return self._templates_list(object_id, query)
            if method == "GET" and edge == "download" and object_id in self.media:
                if self.media[object_id].get("redirect_to"):
                    return 302, {"_redirect": self.media[object_id]["redirect_to"]}
                return 200, {"_raw": self.media[object_id]["content"], "_type": self.media[object_id]["mime_type"]}
            if method == "GET" and edge is None and object_id in self.media:
                item = self.media[object_id]
                return 200, {
                    "id": object_id,
                    "url": item.get("url") or f"{self.url}/v24.0/{object_id}/download",
                    "mime_type": item["mime_type"],
                    "sha256": hashlib.sha256(item["content"]).hexdigest(),
                    "file_size": len(item["content"]),
                    "messaging_product": "whatsapp",
                }
            if method == "GET" and edge is None:
                return self._object_get(object_id, query)
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


_ERROR_TITLES = {
    130429: "Rate limit hit",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131000: "Something went wrong",
}
_AUTO_REPLIES = (
    "Tenho interesse, pode me ligar?",
    "Qual o valor da entrada?",
    "Agora não, obrigado.",
    "Aceita financiamento?",
    "Pode mandar mais fotos?",
)
_MESSAGE_TYPES = {
    "text",
    "template",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "interactive",
    "location",
    "contacts",
    "reaction",
}


def _error(code: int, message: str, kind: str, subcode: int | None = None) -> dict:
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": "Sim" + hex(time.time_ns())[-10:]}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


class _Server(ThreadingHTTPServer):
    # Meta's edge never turns a connection away. socketserver's listen backlog of 5 did, on a busy machine: while
    # the accept thread waited for the GIL, a burst of new pool connections overflowed it and was reset mid-request.
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    sim: GraphSimulator
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: with Nagle's algorithm on, the body waits for the client's delayed ACK
    # of the headers (40 ms on Linux) — a latency Meta's edge does not have and that hid every send's real time.
    disable_nagle_algorithm = True

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
        if payload.get("_drop"):  # accepted, then the connection drops before the answer
            self.close_connection = True
            return
        if "_raw" in payload:
            data, content_type = payload["_raw"], payload["_type"]
        else:
            data, content_type = json.dumps(payload).encode(), "application/json"
        self.send_response(status)
        if "_redirect" in payload:
            self.send_header("Location", payload["_redirect"])
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")
