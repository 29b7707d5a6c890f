"""A calendar (RFC 5545) of a person's visits and meetings, written by hand (no iCalendar package in the stack):
CRLF line ends, lines folded at 75 octets without splitting a UTF-8 character, TEXT values escaped, times in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PRODID = "-//Fluxo//Agenda//PT-BR"
FOLD_AT = 75  # octets per line, CRLF excluded (RFC 5545 §3.1)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime
    summary: str
    description: str = ""
    url: str = ""
    duration: timedelta = timedelta(hours=1)
    status: str = "CONFIRMED"  # or CANCELLED; a done task stays CONFIRMED (it happened)
    stamp: datetime | None = None


def escape_text(value: str) -> str:
    """TEXT escaping (§3.3.11): backslash, semicolon, comma, newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets; continuation lines start with one space."""
    raw = line.encode("utf-8")
    if len(raw) <= FOLD_AT:
        return line
    parts: list[str] = []
    start, limit = 0, FOLD_AT
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never cut inside a UTF-8 sequence
            end -= 1
        parts.append(raw[start:end].decode("utf-8"))
        start, limit = end, FOLD_AT - 1  # the leading space counts
    return "\r\n ".join(parts)


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_ics(*, name: str, events: Iterable[CalendarEvent], now: datetime) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{utc(event.stamp or now)}",
            f"DTSTART:{utc(event.start)}",
            f"DTEND:{utc(event.start + event.duration)}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines += [f"STATUS:{event.status}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
