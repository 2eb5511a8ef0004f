"""Rate limits for the doors into Missiva (sign-in, sign-in links), stored where
MISSIVA_RATELIMIT_STORAGE_URI says (Redis in production, memory in the embedded default)."""
from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)
SIGN_IN_LIMIT = "10 per minute;60 per hour"
