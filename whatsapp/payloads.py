"""Message bodies for ``POST /{phone-number-id}/messages``, and template parameter validation against the
template's components (a mismatch is our clear error, never Meta's 132000). Pure functions, no ORM."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

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


def media_check(kind: str, *, size: int, mime_type: str) -> None:
    """Refuse before calling Meta: the type must be accepted for the kind and the size within its limit."""
    if kind not in MEDIA_LIMITS:
        raise MediaInvalid(_("Unknown media type “%(kind)s”.") % {"kind": kind})
    limit, types = MEDIA_LIMITS[kind]
    if types is not None and mime_type not in types:
        raise MediaInvalid(
            _("WhatsApp does not accept %(mime)s as %(kind)s; use %(types)s.")
            % {"mime": mime_type or "?", "kind": kind, "types": ", ".join(sorted(types))}
        )
    if size > limit:
        raise MediaInvalid(
            _("The file has %(size).1f MB; WhatsApp accepts at most %(limit).1f MB for %(kind)s.")
            % {"size": size / 1024**2, "limit": limit / 1024**2, "kind": kind}
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
