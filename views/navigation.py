"""Reading where a request points: the one check for where Missiva may send a browser next
(`?next=` after sign-in, the language switch, "save and add another": only a path on this site,
read the way a browser reads it), and ids and numbers from URLs, bounded to what is stored."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import request
from werkzeug.routing import IntegerConverter

# A browser drops tabs and line breaks anywhere in a URL, trims C0 controls and spaces at both
# ends, and reads "\" as "/": "/\t/evil.example" and "/\evil.example" both lead off the site.
_DROPPED = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_target(target: str | None) -> str | None:
    """`target` as a path on this site, or None when it would lead anywhere else (or nowhere)."""
    if not target:
        return None
    url = _DROPPED.sub("", target).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                            "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
                                            "\x1c\x1d\x1e\x1f ").replace("\\", "/")
    if _CONTROL.search(url) or not url.startswith("/") or url.startswith("//"):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    return url


MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ids beyond what the databases store are simply not found."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def int_arg(name: str, default: int | None = None, low: int = 1, high: int = MAX_ID) -> int | None:
    """An integer query argument, or `default` when it is missing, malformed or out of range."""
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= high else default
