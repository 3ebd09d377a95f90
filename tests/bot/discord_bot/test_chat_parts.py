"""The bot's small parts, without Discord: uploads, cooldowns, conversation memory, user hashes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.discord_bot.conversations import Conversations
from bot.discord_bot.cooldown import Cooldown
from bot.discord_bot.identity import make_salt, user_hash
from bot.discord_bot.uploads import UploadRejected, check_upload, checked_upload, safe_filename


@given(st.text(max_size=300))
def test_upload_names_never_leave_their_folder(name: str) -> None:
    clean = safe_filename(name)
    assert clean and "/" not in clean and "\\" not in clean and not clean.startswith(".")
    assert len(clean) <= 100
    folder = Path("/srv/index/uploads")
    assert (folder / clean).resolve().parent == folder


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("../../etc/cron.d/evil.md", "evil.md"),
        ("..\\..\\boot.txt", "boot.txt"),
        (".bashrc.md", "bashrc.md"),
        ("Crime stats (2021)?.JSONL", "Crime_stats_2021.jsonl"),
        ("", "upload"),
    ],
)
def test_safe_filename(sent: str, stored: str) -> None:
    assert safe_filename(sent) == stored


def test_uploads_are_checked_for_type_and_size() -> None:
    assert check_upload("a.md", 10, 100) == "a.md"
    with pytest.raises(UploadRejected, match=r"Only \.md, \.txt, \.jsonl"):
        check_upload("a.pdf", 10, 100)
    with pytest.raises(UploadRejected, match="limit is 100"):
        check_upload("a.txt", 101, 100)
    with pytest.raises(UploadRejected, match="empty"):
        check_upload("a.txt", 0, 100)


def test_an_upload_is_checked_on_its_bytes() -> None:
    assert checked_upload("../story.md", b"one", 100, 1) == "story.md"
    with pytest.raises(UploadRejected, match="UTF-8"):
        checked_upload("bin.txt", b"\xff\xfe\x00", 100, 1)
    with pytest.raises(UploadRejected):  # the size is checked on the bytes, not only on the claim
        checked_upload("big.txt", b"x" * 101, 100, 1)
    with pytest.raises(UploadRejected, match="at most 1"):
        checked_upload("two.jsonl", b'{"text": "a"}\n{"text": "b"}\n', 100, 1)


def test_cooldown_is_per_user_and_expires() -> None:
    now = [100.0]
    cooldown = Cooldown(3.0, clock=lambda: now[0])
    assert cooldown.retry_after(1) == 0
    assert cooldown.retry_after(2) == 0
    now[0] += 1
    assert cooldown.retry_after(1) == pytest.approx(2.0)
    now[0] += 2
    assert cooldown.retry_after(1) == 0


def test_conversations_forget_the_least_recent_first() -> None:
    memory = Conversations(capacity=2)
    memory.remember(1, "q1")
    memory.remember(2, "q2")
    memory.remember(1, "q1 again")  # 1 is now the most recent
    memory.remember(3, "q3")
    assert memory.previous(1) == "q1 again" and memory.previous(2) is None and memory.previous(3) == "q3"


def test_user_hashes_hide_the_id_and_depend_on_the_salt() -> None:
    hashed = user_hash("salt", 123456789012345678)
    assert "123456789012345678" not in hashed and len(hashed) == 64
    assert hashed == user_hash("salt", 123456789012345678) != user_hash("pepper", 123456789012345678)
    assert make_salt("configured") == "configured"
    assert make_salt("") != make_salt("")  # random per run when not configured
