"""Grammars of values that sources and layouts share (a layout's token grammar builds on
these): control characters no value may hold, and what a `url:` must be."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def check_url(text: str) -> str | None:
    """None when `text` is a well-formed http(s) URL (as `url:` must be), else the message."""
    from urllib.parse import urlsplit

    message = f"must be an http:// or https:// address, not {text!r}"
    if not isinstance(text, str) or CONTROL.search(text) or re.search(r"[\s\"'<>\\^`{|}]", text):
        return message
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return message
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return message
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return message
    if not re.fullmatch(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+", ascii_host):
        return message
    return None
