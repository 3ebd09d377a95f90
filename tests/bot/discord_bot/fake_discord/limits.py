"""What Discord refuses in a message body: the checks behind its 400 "Invalid Form Body" (50035)."""

from __future__ import annotations

from typing import Any

EMBED_LIMITS = {"title": 256, "description": 4096, "footer.text": 2048, "author.name": 256}


def message_errors(body: dict[str, Any]) -> list[str]:
    """Every way `body` breaks Discord's limits; empty when Discord would accept it."""
    errors = []
    content = body.get("content")
    if content is not None and len(content) > 2000:
        errors.append(f"content: must be 2000 or fewer in length (got {len(content)})")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        errors.append("embeds: must be 10 or fewer in length")
    total = 0
    for i, embed in enumerate(embeds):
        for key, limit in EMBED_LIMITS.items():
            head, _, tail = key.partition(".")
            value = embed.get(head)
            if tail and isinstance(value, dict):
                value = value.get(tail)
            if value is None:
                continue
            total += len(value)
            if len(value) > limit:
                errors.append(f"embeds.{i}.{key}: must be {limit} or fewer in length")
            if not str(value).strip() and head != "description":
                errors.append(f"embeds.{i}.{key}: must not be blank")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors.append(f"embeds.{i}.fields: must be 25 or fewer in length")
        for j, field in enumerate(fields):
            name, value = field.get("name", ""), field.get("value", "")
            total += len(name) + len(value)
            if not name.strip() or len(name) > 256:
                errors.append(f"embeds.{i}.fields.{j}.name: must be 1 to 256 in length")
            if not value.strip() or len(value) > 1024:
                errors.append(f"embeds.{i}.fields.{j}.value: must be 1 to 1024 in length")
    if total > 6000:
        errors.append(f"embeds: combined length must be 6000 or fewer (got {total})")
    errors += component_errors(body.get("components") or [])
    return errors


def component_errors(rows: list[dict[str, Any]]) -> list[str]:
    errors = []
    if len(rows) > 5:
        errors.append("components: must be 5 or fewer in length")
    for i, row in enumerate(rows):
        children = row.get("components") or []
        if row.get("type") != 1 or not 1 <= len(children) <= 5:
            errors.append(f"components.{i}: an action row holds 1 to 5 components")
        for child in children:
            if (
                child.get("type") == 2
                and child.get("style") != 5
                and not 1 <= len(child.get("custom_id", "")) <= 100
            ):
                errors.append(f"components.{i}: custom_id must be 1 to 100 in length")
            if len(child.get("label") or "") > 80:
                errors.append(f"components.{i}: label must be 80 or fewer in length")
    return errors


def choice_errors(choices: list[dict[str, Any]]) -> list[str]:
    errors = []
    if len(choices) > 25:
        errors.append("choices: must be 25 or fewer in length")
    for i, choice in enumerate(choices):
        if not 1 <= len(choice.get("name", "")) <= 100:
            errors.append(f"choices.{i}.name: must be 1 to 100 in length")
        if len(str(choice.get("value", ""))) > 100:
            errors.append(f"choices.{i}.value: must be 100 or fewer in length")
    return errors
