"""`newsbot chat`: one question after another, follow-ups read against the question they follow."""

from __future__ import annotations

from bot.cli.chat import context_after, converse
from index import Answer, BadQuestionError


def lines(*given: str):
    remaining = list(given)

    def read() -> str:
        if not remaining:
            raise EOFError
        return remaining.pop(0)

    return read


def test_each_question_is_asked_with_the_one_it_follows():
    asked: list[tuple[str, str | None]] = []
    shown: list[str] = []

    def ask(question: str, previous: str | None) -> Answer:
        asked.append((question, previous))
        if question == "?!":
            raise BadQuestionError("The question has no words in it.")
        return Answer(question=question, abstained=True)

    converse(
        ask,
        lines("how many carjackings in 2021?", "", "and in 2022?", "?!", "and 2019?", "exit", "not asked"),
        shown.append,
        lambda a: f"answer to {a.question}",
    )
    assert asked == [
        ("how many carjackings in 2021?", None),
        ("and in 2022?", "how many carjackings in 2021?"),
        ("?!", "how many carjackings in 2021?"),
        ("and 2019?", "how many carjackings in 2021?"),
    ], "a follow-up of a follow-up is read against the question they both follow"
    assert shown[2] == "newsbot: The question has no words in it.\n", "and the chat goes on"
    assert len(shown) == 4


def test_a_question_of_its_own_becomes_the_context():
    assert context_after("how many arrests in 2020?", "how many carjackings in 2021?") == (
        "how many arrests in 2020?"
    )
    assert context_after("and in 2022?", "how many carjackings in 2021?") == "how many carjackings in 2021?"
    assert context_after("and in 2022?", None) == "and in 2022?"
