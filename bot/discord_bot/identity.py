"""User ids leave the bot only as salted hashes (feedback records, logs)."""

from __future__ import annotations

import hashlib
import secrets


def make_salt(configured: str) -> str:
    """The configured salt, or a random one for this run (hashes then only match within it)."""
    return configured or secrets.token_hex(16)


def user_hash(salt: str, user_id: int) -> str:
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()
