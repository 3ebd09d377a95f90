"""The previous question of each DM or thread, so follow-ups can be read against it."""

from __future__ import annotations

from collections import OrderedDict


class Conversations:
    """A bounded memory: the least recently active conversation is forgotten first."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._previous: OrderedDict[int, str] = OrderedDict()

    def previous(self, conversation_id: int) -> str | None:
        return self._previous.get(conversation_id)

    def remember(self, conversation_id: int, question: str) -> None:
        self._previous[conversation_id] = question
        self._previous.move_to_end(conversation_id)
        while len(self._previous) > self._capacity:
            self._previous.popitem(last=False)
