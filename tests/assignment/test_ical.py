"""The hand-written RFC 5545 writer: escaping, folding at 75 octets without cutting a UTF-8 character, UTC times."""

from datetime import UTC, datetime, timedelta

from assignment.ical import CalendarEvent, calendar_ics, escape_text, fold


def test_text_values_are_escaped():
    assert escape_text("a\\b; c, d\ne") == "a\\\\b\\; c\\, d\\ne"


def test_long_lines_fold_at_75_octets_and_unfold_to_the_same_text():
    line = "SUMMARY:" + "Visita ao decorado — ação São João çãõ " * 6
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line  # unfolding gives the line back


def test_a_calendar_has_crlf_lines_and_utc_times():
    start = datetime(2026, 12, 8, 13, 30, tzinfo=UTC)
    body = calendar_ics(
        name="Agenda",
        events=[CalendarEvent(uid="t1@fluxo", start=start, summary="Visita — Ana", duration=timedelta(minutes=45))],
        now=start,
    ).decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:") and body.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261208T133000Z\r\nDTEND:20261208T141500Z" in body
    assert "\n" not in body.replace("\r\n", "")
