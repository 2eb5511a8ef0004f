"""Addresses of Missiva's pages as they leave it, in mail and in print: all from one base,
MISSIVA_BASE_URL."""
from __future__ import annotations

from flask import current_app


def absolute(path: str) -> str:
    """`path` (starting with /) as a full address people can follow from a mail."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}{path}"
