"""The client's address, the one rule every lockout, rate limit and audit entry keys on.

Behind a reverse proxy every request arrives from the proxy. ``FLUXO_TRUSTED_PROXIES`` (settings, README)
names the proxies whose ``X-Forwarded-For`` is believed: IP addresses or CIDR networks, and/or a number N meaning
"the N nearest hops are proxies, whatever their address" (only when nothing but the proxy can reach the app).
The chain ``X-Forwarded-For + [REMOTE_ADDR]`` is walked right to left, skipping trusted hops; the first hop that
is not trusted is the client. Without the setting ``X-Forwarded-For`` is ignored, so a forged header changes
nothing.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _trust(entries: tuple[str, ...]) -> tuple[int, tuple[IPNetwork, ...]]:
    count, networks = 0, []
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        if entry.isdigit():
            if count:
                raise ImproperlyConfigured("FLUXO_TRUSTED_PROXIES: give the number of proxies once.")
            count = int(entry)
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"FLUXO_TRUSTED_PROXIES: {entry!r} is neither a number of proxies nor an IP address or CIDR network."
            ) from None
    return count, tuple(networks)


def trusted_proxies() -> tuple[int, tuple[IPNetwork, ...]]:
    """``(number of proxies, trusted networks)`` from ``settings.FLUXO_TRUSTED_PROXIES``."""
    value = getattr(settings, "FLUXO_TRUSTED_PROXIES", ()) or ()
    if isinstance(value, str):
        value = value.split(",")
    return _trust(tuple(str(entry) for entry in value))


def _address(text: str) -> IPAddress | None:
    """``203.0.113.7``, ``2001:db8::1``, ``[2001:db8::1]:443`` or ``203.0.113.7:5678`` → the address; else None."""
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request) -> str | None:
    """The address of the client that sent ``request`` (None when the server reports none)."""
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    count, networks = trusted_proxies()
    if not count and not networks:
        return str(peer) if peer else None
    forwarded = [hop for header in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if (hop := header.strip())]
    hops = [peer, *(_address(hop) for hop in reversed(forwarded))]  # nearest first
    client = None
    for position, hop in enumerate(hops):
        if hop is None:
            if position < count:  # e.g. a proxy on a unix socket: no peer address, trusted by count
                continue
            break  # unreadable: nothing beyond it can be believed
        client = hop
        trusted = position < count or any(hop.version == net.version and hop in net for net in networks)
        if not trusted:
            break
    return str(client) if client else None
