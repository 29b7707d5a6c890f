"""The Cloud API through httpx, and the backends the send service picks from settings.

``cloud_api`` and ``simulator`` are the same client (the simulator speaks the same Graph API paths; only
``WHATSAPP_GRAPH_URL`` differs); ``console`` writes one log line per send (never the text or the number) for a
first run with nothing configured."""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections.abc import Iterator

import httpx
from django.conf import settings

from common.meta import meta_appsecret_proof
from whatsapp.errors import MetaApiError, MetaUnreachable

logger = logging.getLogger(__name__)


_pools: dict[int, httpx.Client] = {}
_pools_lock = threading.Lock()


def shared_pool() -> httpx.Client:
    """One keep-alive connection pool per process (a fork gets its own, and so does the sender process of
    ``whatsapp.lanes``): building an httpx client costs milliseconds (TLS context), far more than a send to Meta's
    nearest edge, so sends share it. Each request names its own timeout (``request_args``)."""
    pid = os.getpid()
    pool = _pools.get(pid)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(pid) or httpx.Client(limits=httpx.Limits(max_connections=64))
            _pools[pid] = pool
    return pool


class CloudApiClient:
    def __init__(
        self,
        *,
        access_token: str,
        base_url: str | None = None,
        timeout: float | None = None,
        shared: bool = False,
    ):
        self.access_token = access_token
        self.base_url = (base_url or settings.WHATSAPP_GRAPH_URL).rstrip("/") + "/" + settings.META_GRAPH_VERSION
        self._shared = shared
        self._timeout = timeout or settings.META_HTTP_TIMEOUT
        self._http = shared_pool() if shared else httpx.Client()
        self._auth = {"Authorization": f"Bearer {access_token}"}

    def close(self) -> None:
        if not self._shared:
            self._http.close()

    def __enter__(self) -> CloudApiClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- calls ---------------------------------------------------------------------------------------------------
    def message_send(self, phone_number_id: str, payload: dict) -> str:
        """POST /{phone-number-id}/messages → the ``wamid`` Meta assigned."""
        return wamid_of(self._request("POST", f"{phone_number_id}/messages", json=payload))

    def message_mark_read(self, phone_number_id: str, wamid: str) -> None:
        self._request(
            "POST",
            f"{phone_number_id}/messages",
            json={"messaging_product": "whatsapp", "status": "read", "message_id": wamid},
        )

    def templates_list(self, waba_id: str) -> Iterator[dict]:
        """Every template of the account, following the ``paging.cursors.after`` cursor."""
        params = {"limit": 100, "fields": "id,name,language,category,status,components,quality_score"}
        while True:
            body = self._request("GET", f"{waba_id}/message_templates", params=params)
            yield from body.get("data", [])
            after = (body.get("paging") or {}).get("cursors", {}).get("after")
            if not after or not (body.get("paging") or {}).get("next"):
                return
            params = {**params, "after": after}

    def media_upload(self, phone_number_id: str, *, content: bytes, mime_type: str, filename: str) -> str:
        body = self._request(
            "POST",
            f"{phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, content, mime_type)},
        )
        return body["id"]

    def media_info(self, media_id: str) -> dict:
        """{url, mime_type, sha256, file_size, id}: the URL is short-lived and needs the token."""
        return self._request("GET", media_id)

    def media_download(self, url: str, *, max_bytes: int, url_check=None, max_redirects: int = 3) -> bytes:
        """The media behind a URL from a Graph answer. ``url_check`` (``compliance.security.outbound_url_check``)
        vets the URL and every redirect hop before a byte — or the token — goes to it; redirects are followed by
        hand, and the token never follows one to another origin."""
        headers = self._auth
        try:
            for _hop in range(max_redirects + 1):
                if url_check is not None:
                    url_check(url)
                with self._http.stream(
                    "GET", url, headers=headers, timeout=self._timeout, follow_redirects=False
                ) as response:
                    if response.is_redirect:
                        target = str(response.url.join(response.headers.get("location", "")))
                        if httpx.URL(target).netloc != response.url.netloc or httpx.URL(target).scheme != (
                            response.url.scheme
                        ):
                            headers = {}
                        url = target
                        continue
                    if response.status_code != 200:
                        raise MetaApiError(meta_code=None, title=f"media download HTTP {response.status_code}")
                    chunks, size = [], 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise MetaApiError(meta_code=131053, title="media larger than allowed")
                        chunks.append(chunk)
                    return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise MetaUnreachable(type(exc).__name__) from exc
        raise MetaApiError(meta_code=None, title="media download: too many redirects")

    # --- plumbing ------------------------------------------------------------------------------------------------
    def request_args(self, method: str, path: str, **kwargs) -> dict:
        """The arguments of one Graph API call for ``httpx.Client.request`` (URL, token, ``appsecret_proof``,
        timeout): plain data, so the call can be made by another process (the sender, see ``whatsapp.lanes``)."""
        params = dict(kwargs.pop("params", None) or {})
        proof = meta_appsecret_proof(self.access_token, settings.WHATSAPP_APP_SECRET)
        if proof:
            params["appsecret_proof"] = proof
        return {
            "method": method,
            "url": f"{self.base_url}/{path}",
            "params": params,
            "headers": self._auth,
            "timeout": self._timeout,
            **kwargs,
        }

    def message_send_args(self, phone_number_id: str, payload: dict) -> dict:
        """``request_args`` of ``message_send``; its answer goes through ``graph_answer`` then ``wamid_of``."""
        return self.request_args("POST", f"{phone_number_id}/messages", json=payload)

    def _request(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self._http.request(**self.request_args(method, path, **kwargs))
        except httpx.HTTPError as exc:
            raise MetaUnreachable(type(exc).__name__) from exc
        return graph_answer(response.status_code, response.content, response.reason_phrase)


class ConsoleBackend:
    """Pretends to send: logs the kind of message and returns a made-up wamid."""

    def message_send(self, phone_number_id: str, payload: dict) -> str:
        logger.info("whatsapp console backend: %s message from number %s", payload.get("type"), phone_number_id)
        return "wamid.console." + secrets.token_hex(12)

    def message_mark_read(self, phone_number_id: str, wamid: str) -> None:
        return None

    def templates_list(self, waba_id: str) -> Iterator[dict]:
        return iter(())

    def media_upload(self, phone_number_id: str, *, content: bytes, mime_type: str, filename: str) -> str:
        return "console-media-" + secrets.token_hex(6)

    def close(self) -> None:
        return None


def client_for(access_token: str):
    """The configured backend for an account's token (``WHATSAPP_BACKEND``: cloud_api, simulator, console)."""
    if settings.WHATSAPP_BACKEND == "console":
        return ConsoleBackend()
    return CloudApiClient(access_token=access_token, shared=True)


def graph_answer(status: int, content: bytes, reason: str) -> dict:
    """The body of a Graph API answer, or the MetaApiError it carries (Meta's code, title and raw error)."""
    try:
        body = json.loads(content) if content else {}
    except ValueError:
        body = {}
    if 200 <= status < 300 and isinstance(body, dict) and "error" not in body:
        return body
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    raise MetaApiError(
        meta_code=error.get("code"),
        title=str(error.get("error_data", {}).get("details") or error.get("message") or reason),
        raw=error,
        http_status=status,
    )


def wamid_of(body: dict) -> str:
    """The ``wamid`` Meta assigned, from the answer to ``POST /{phone-number-id}/messages``."""
    return body["messages"][0]["id"]
