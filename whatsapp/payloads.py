"""Message bodies for ``POST /{phone-number-id}/messages``, and template parameter validation against the
template's components (a mismatch is our clear error, never Meta's 132000). Pure functions, no ORM."""

from __future__ import annotations

import re

import filetype
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from whatsapp.errors import MediaInvalid, TemplateInvalid

MEDIA_KINDS = ("image", "audio", "video", "document", "sticker")
# Meta's limits per media kind (bytes) and accepted MIME types (partner docs; see shared/reference).
MEDIA_LIMITS = {
    "image": (5 * 1024**2, {"image/jpeg", "image/png"}),
    "audio": (16 * 1024**2, {"audio/aac", "audio/mp4", "audio/mpeg", "audio/amr", "audio/ogg"}),
    "video": (16 * 1024**2, {"video/mp4", "video/3gpp"}),
    "document": (100 * 1024**2, None),  # any type
    "sticker": (500 * 1024, {"image/webp"}),
}
_PLACEHOLDER = re.compile(r"{{\s*(\w+)\s*}}")


def _base(to: str, kind: str) -> dict:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to.lstrip("+"), "type": kind}


def text_payload(to: str, body: str, *, preview_url: bool = False) -> dict:
    body = (body or "").strip()
    if not body:
        raise TemplateInvalid(_("The message is empty."))
    if len(body) > 4096:
        raise TemplateInvalid(
            _("A WhatsApp text message holds at most 4,096 characters (this one has %(n)s).") % {"n": len(body)}
        )
    return {**_base(to, "text"), "text": {"body": body, "preview_url": preview_url}}


def media_payload(
    to: str, kind: str, *, media_id: str = "", link: str = "", caption: str = "", filename: str = ""
) -> dict:
    if kind not in MEDIA_KINDS:
        raise MediaInvalid(_("Unknown media type “%(kind)s”.") % {"kind": kind})
    if not (media_id or link):
        raise MediaInvalid(_("A media message needs an uploaded media id or a link."))
    media: dict = {"id": media_id} if media_id else {"link": link}
    if caption and kind in ("image", "video", "document"):
        media["caption"] = caption
    if filename and kind == "document":
        media["filename"] = filename
    return {**_base(to, kind), kind: media}


MEDIA_KIND_LABELS = {
    "image": _lazy("image"),
    "document": _lazy("document"),
    "audio": _lazy("audio"),
    "video": _lazy("video"),
    "sticker": _lazy("sticker"),
}
_MIME_NAMES = {
    "application/pdf": "PDF",
    "application/msword": "DOC",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.ms-powerpoint": "PPT",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
    "text/plain": "TXT",
    "audio/mpeg": "MP3",
    "video/3gpp": "3GP",
}


def _mime_name(mime_type: str) -> str:
    """ "application/pdf" → "PDF", "image/jpeg" → "JPEG": a file type as people name it, not its MIME code."""
    mime_type = (mime_type or "").lower()
    if mime_type in _MIME_NAMES:
        return _MIME_NAMES[mime_type]
    subtype = mime_type.rpartition("/")[2]
    return subtype.upper() if subtype and len(subtype) <= 6 and subtype.isalnum() else (mime_type or "?")


def media_check(kind: str, *, size: int, mime_type: str) -> None:
    """Refuse before calling Meta: the type must be accepted for the kind and the size within its limit."""
    if kind not in MEDIA_LIMITS:
        raise MediaInvalid(_("Unknown media type “%(kind)s”.") % {"kind": kind})
    limit, types = MEDIA_LIMITS[kind]
    if types is not None and mime_type not in types:
        raise MediaInvalid(
            _("WhatsApp does not accept a %(mime)s file as %(kind)s; use %(types)s.")
            % {
                "mime": _mime_name(mime_type),
                "kind": MEDIA_KIND_LABELS.get(kind, kind),
                "types": ", ".join(sorted({_mime_name(t) for t in types})),
            }
        )
    if size > limit:
        raise MediaInvalid(
            _("The file has %(size).1f MB; WhatsApp accepts at most %(limit).1f MB for %(kind)s.")
            % {"size": size / 1024**2, "limit": limit / 1024**2, "kind": MEDIA_KIND_LABELS.get(kind, kind)}
        )


def buttons_payload(to: str, body: str, buttons: list[tuple[str, str]]) -> dict:
    """Up to three reply buttons: (id, title ≤ 20 characters)."""
    if not 1 <= len(buttons) <= 3:
        raise TemplateInvalid(_("Reply buttons: between 1 and 3."))
    for _id, title in buttons:
        if not title or len(title) > 20:
            raise TemplateInvalid(_("A button title has 1 to 20 characters: “%(title)s”.") % {"title": title})
    return {
        **_base(to, "interactive"),
        "interactive": {
            "type": "button",
            "body": {"text": body},
            "action": {"buttons": [{"type": "reply", "reply": {"id": i, "title": t}} for i, t in buttons]},
        },
    }


def list_payload(to: str, body: str, button: str, sections: list[dict]) -> dict:
    """A list message: ``sections`` = [{"title": str, "rows": [{"id", "title", "description"?}]}], ≤ 10 rows."""
    if sum(len(s.get("rows", [])) for s in sections) > 10:
        raise TemplateInvalid(_("A list message holds at most 10 rows."))
    return {
        **_base(to, "interactive"),
        "interactive": {"type": "list", "body": {"text": body}, "action": {"button": button, "sections": sections}},
    }


def location_payload(to: str, *, latitude: float, longitude: float, name: str = "", address: str = "") -> dict:
    location = {"latitude": latitude, "longitude": longitude, "name": name, "address": address}
    return {**_base(to, "location"), "location": location}


def contacts_payload(to: str, contacts: list[dict]) -> dict:
    return {**_base(to, "contacts"), "contacts": contacts}


RICH_KINDS = ("image", "audio", "video", "document", "buttons", "list", "location", "contacts")
UPLOAD_KINDS = ("image", "audio", "video", "document")


def payload_kind(payload: dict) -> str:
    """What a Cloud API body is, in the words Fluxo uses: ``interactive`` is told apart as buttons or list."""
    kind = str(payload.get("type") or "text")
    if kind == "interactive":
        return "list" if (payload.get("interactive") or {}).get("type") == "list" else "buttons"
    return kind[:20]


def media_kind_for(mime_type: str) -> str:
    """The message kind a file goes as when the sender did not choose: accepted images, audio and video as
    themselves, anything else as a document."""
    for kind in ("image", "audio", "video"):
        if mime_type in MEDIA_LIMITS[kind][1]:
            return kind
    return "document"


def media_sniff(head: bytes, *, declared: str = "") -> str:
    """The MIME type of a file from its first bytes (never its name). What the bytes do not reveal (plain text,
    CSV, some office files) keeps the type the sender declared, and can only go as a document."""
    guess = filetype.guess_mime(head)
    if guess:
        return {"audio/x-wav": "audio/wav", "audio/m4a": "audio/mp4", "video/quicktime": "video/quicktime"}.get(
            guess, guess
        )
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and not declared.startswith(("image/", "audio/", "video/")):
        return declared[:100]
    return "application/octet-stream"


def media_payload_to_upload(to: str, kind: str, *, caption: str = "", filename: str = "") -> dict:
    """A media message whose file is uploaded to Meta only when it is dispatched: ``media_attach`` then adds the
    media id (the outbox keeps the file, not a media id that expires)."""
    if kind not in UPLOAD_KINDS:
        raise MediaInvalid(_("Unknown media type “%(kind)s”.") % {"kind": kind})
    if len(caption) > 1024:
        raise MediaInvalid(_("A caption holds at most 1,024 characters (this one has %(n)s).") % {"n": len(caption)})
    media: dict = {}
    if caption and kind in ("image", "video", "document"):
        media["caption"] = caption
    if filename and kind == "document":
        media["filename"] = filename[:240]
    return {**_base(to, kind), kind: media}


def media_awaits_upload(payload: dict) -> bool:
    media = payload.get(payload.get("type", "")) if payload.get("type") in MEDIA_KINDS else None
    return isinstance(media, dict) and not media.get("id") and not media.get("link")


def media_attach(payload: dict, media_id: str) -> dict:
    kind = payload["type"]
    return {**payload, kind: {**payload[kind], "id": media_id}}


def buttons_from_titles(to: str, body: str, titles: list[str]) -> dict:
    """Reply buttons from their titles (the ids are their positions: the reply names the button pressed)."""
    body = (body or "").strip()
    if not body:
        raise TemplateInvalid(_("Write the text shown above the buttons."))
    if len(body) > 1024:
        raise TemplateInvalid(_("The text above buttons holds at most 1,024 characters."))
    titles = [t.strip() for t in titles if t and t.strip()]
    return buttons_payload(to, body, [(f"b{index}", title) for index, title in enumerate(titles, 1)])


def list_from_rows(to: str, body: str, button: str, rows: list[dict], *, section: str = "") -> dict:
    """A one-section list: ``rows`` = [{"title" ≤ 24, "description"? ≤ 72}], 1 to 10 of them."""
    body, button = (body or "").strip(), (button or "").strip()
    if not body:
        raise TemplateInvalid(_("Write the text shown above the list."))
    if not button or len(button) > 20:
        raise TemplateInvalid(_("The list's button label has 1 to 20 characters."))
    clean = []
    for index, row in enumerate(rows, 1):
        title, description = str(row.get("title") or "").strip(), str(row.get("description") or "").strip()
        if not title:
            continue
        if len(title) > 24:
            raise TemplateInvalid(_("A list row title has at most 24 characters: “%(title)s”.") % {"title": title})
        if len(description) > 72:
            raise TemplateInvalid(_("A list row description has at most 72 characters."))
        clean.append({"id": f"r{index}", "title": title, **({"description": description} if description else {})})
    if not clean:
        raise TemplateInvalid(_("A list message needs at least one row."))
    return list_payload(to, body, button, [{"title": (section or button)[:24], "rows": clean}])


def location_checked(to: str, *, latitude, longitude, name: str = "", address: str = "") -> dict:
    try:
        lat, lon = float(str(latitude).replace(",", ".")), float(str(longitude).replace(",", "."))
    except (TypeError, ValueError):
        raise TemplateInvalid(_("Latitude and longitude must be numbers (e.g. -23.5613, -46.6565).")) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise TemplateInvalid(_("Latitude goes from -90 to 90 and longitude from -180 to 180."))
    return location_payload(to, latitude=lat, longitude=lon, name=(name or "")[:100], address=(address or "")[:300])


def contact_card(to: str, *, name: str, phone: str, email: str = "") -> dict:
    """One contact card (a name and a phone, optionally an e-mail)."""
    name, phone, email = (name or "").strip(), (phone or "").strip(), (email or "").strip()
    if not name or not phone:
        raise TemplateInvalid(_("A contact card needs a name and a phone."))
    card: dict = {
        "name": {"formatted_name": name[:100], "first_name": name.split()[0][:100]},
        "phones": [{"phone": phone[:30], "type": "CELL", "wa_id": "".join(c for c in phone if c.isdigit())[:20]}],
    }
    if email:
        card["emails"] = [{"email": email[:200], "type": "WORK"}]
    return contacts_payload(to, [card])


def payload_summary(payload: dict) -> str:
    """What the thread and the timeline show for a free-form message that is not plain text."""
    kind = payload.get("type", "")
    if kind == "text":
        return payload["text"]["body"]
    if kind in MEDIA_KINDS:
        part = payload.get(kind) or {}
        return part.get("caption") or part.get("filename") or ""
    if kind == "interactive":
        interactive = payload["interactive"]
        action = interactive.get("action") or {}
        if interactive.get("type") == "button":
            options = [b["reply"]["title"] for b in action.get("buttons", [])]
        else:
            options = [r["title"] for s in action.get("sections", []) for r in s.get("rows", [])]
        return f"{interactive['body']['text']} [{' | '.join(options)}]"
    if kind == "location":
        location = payload["location"]
        place = " · ".join(v for v in (location.get("name"), location.get("address")) if v)
        return " ".join(v for v in ("📍", place, f"({location['latitude']}, {location['longitude']})") if v)
    if kind == "contacts":
        return "👤 " + ", ".join(c["name"]["formatted_name"] for c in payload["contacts"])
    return ""


def template_placeholders(components: list[dict]) -> dict[str, int]:
    """How many parameters each component of an approved template needs: header, body and each URL button."""
    needs: dict[str, int] = {}
    for component in components or []:
        kind = str(component.get("type", "")).upper()
        if kind == "HEADER":
            header_format = str(component.get("format", "TEXT")).upper()
            needs["header"] = (
                len(set(_PLACEHOLDER.findall(component.get("text", "")))) if header_format == "TEXT" else 1
            )
            needs["header_format"] = header_format  # type: ignore[assignment]
        elif kind == "BODY":
            needs["body"] = len(set(_PLACEHOLDER.findall(component.get("text", ""))))
        elif kind == "BUTTONS":
            for index, button in enumerate(component.get("buttons") or []):
                if str(button.get("type", "")).upper() == "URL" and _PLACEHOLDER.search(button.get("url", "")):
                    needs[f"button_{index}"] = 1
    return needs


def template_payload(
    to: str, *, name: str, language: str, components: list[dict], params: dict[str, list[str]] | None = None
) -> dict:
    """``params``: {"header": [...], "body": [...], "button_0": [...]} — validated against ``components``.
    A media header takes one link: {"header": ["https://…/photo.jpg"]}."""
    params = params or {}
    needs = template_placeholders(components)
    header_format = needs.pop("header_format", "TEXT")
    for part in sorted(set(needs) | {k for k in params if params[k]}):
        given = [str(v) for v in params.get(part) or []]
        wanted = needs.get(part, 0)
        if len(given) != wanted:
            raise TemplateInvalid(
                _("Template “%(name)s” needs %(wanted)s parameter(s) in %(part)s; %(given)s given.")
                % {"name": name, "wanted": wanted, "part": part, "given": len(given)},
                details={"part": part, "wanted": wanted, "given": len(given)},
            )
        for value in given:
            if not value.strip():
                raise TemplateInvalid(
                    _("Template “%(name)s”: a parameter in %(part)s is empty.") % {"name": name, "part": part}
                )
            if part == "body" and ("\n" in value or "    " in value):
                raise TemplateInvalid(
                    _("Template “%(name)s”: body parameters cannot contain line breaks or 4+ spaces in a row.")
                    % {"name": name}
                )
    out: list[dict] = []
    if needs.get("header"):
        if header_format == "TEXT":
            parameters = [{"type": "text", "text": v} for v in params["header"]]
        else:
            kind = header_format.lower()
            parameters = [{"type": kind, kind: {"link": params["header"][0]}}]
        out.append({"type": "header", "parameters": parameters})
    if needs.get("body"):
        out.append({"type": "body", "parameters": [{"type": "text", "text": v} for v in params["body"]]})
    for part in sorted(p for p in needs if p.startswith("button_")):
        out.append(
            {
                "type": "button",
                "sub_type": "url",
                "index": part.removeprefix("button_"),
                "parameters": [{"type": "text", "text": params[part][0]}],
            }
        )
    template: dict = {"name": name, "language": {"code": language}}
    if out:
        template["components"] = out
    return {**_base(to, "template"), "template": template}


def template_full_text(components: list[dict], params: dict[str, list[str]] | None = None) -> str:
    """What the person reads: the body with its parameters, then the footer (where a marketing template says how to
    stop receiving it, which the content checks look for)."""
    footer = " ".join(str(c.get("text", "")) for c in components or [] if str(c.get("type", "")).upper() == "FOOTER")
    return (template_preview(components, params) + "\n" + footer).strip()


def template_preview(components: list[dict], params: dict[str, list[str]] | None = None) -> str:
    """The body text with its parameters filled in (what the timeline shows)."""
    params = params or {}
    body = next((c.get("text", "") for c in components or [] if str(c.get("type", "")).upper() == "BODY"), "")
    values = params.get("body") or []
    names: list[str] = []
    for found in _PLACEHOLDER.findall(body):
        if found not in names:
            names.append(found)
    mapping = {name: values[i] if i < len(values) else "{{" + name + "}}" for i, name in enumerate(names)}
    return _PLACEHOLDER.sub(lambda m: mapping.get(m.group(1), m.group(0)), body)
