"""Test articles for the bot's tests: small, with known answers, one internal, one oversized."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

ARTICLES = {
    "carjackings-2021.md": """\
        ---
        title: "Chicago carjackings reached a record in 2021"
        url: https://news.example/2022/01/carjackings-2021
        published: 2022-01-05
        outlet: Example Tribune
        ---
        In 2021, Chicago saw nearly 2,098 carjackings, according to the Cook County Sheriff's Office.

        The sheriff said carjackings were the highest in two decades.
        """,
    "carjackings-2022.md": """\
        ---
        title: "Carjackings keep rising in 2022"
        url: https://news.example/2022/05/carjackings-2022
        published: 2022-05-03
        outlet: Example Sun
        ---
        In 2022, Chicago saw more than 500 carjackings between January and April, police said.
        """,
    "budget-memo.md": """\
        ---
        title: "Desk memo: newsroom budget"
        url: https://intranet.example/memos/budget
        published: 2022-02-01
        outlet: Newsroom memo
        visibility: internal
        ---
        The newsroom budget for 2022 is 4,512,000 dollars, the finance desk said.
        """,
}
CARJACKING_QUESTION = "how many carjackings in 2021?"
INTERNAL_QUESTION = "what is the newsroom budget?"
LONG_QUESTION = "zeppelin hangar airship crews"


def long_article() -> str:
    """Oversized title, outlet and URL, and eight sentences of ~1,500 characters each."""
    words = "zeppelin hangar mooring mast airship crew envelope gondola ballast hydrogen".split()
    rng = random.Random(1)
    sentences = [
        f"The zeppelin hangar held airship crews in {1930 + k}: "
        + ", ".join(f"{rng.choice(words)} {i}" for i in range(k * 150, k * 150 + 150))
        + "."
        for k in range(8)
    ]
    title = ("Zeppelin " + "very long title " * 40).strip()
    outlet = ("The Long Outlet " * 20).strip()
    return (
        f'---\ntitle: "{title}"\nurl: https://news.example/zeppelin/{"x" * 300}\n'
        f'published: 2020-06-01\noutlet: "{outlet}"\n---\n{" ".join(sentences)}\n'
    )


def write_articles(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (directory / "zeppelin.md").write_text(long_article(), encoding="utf-8")
    return directory
