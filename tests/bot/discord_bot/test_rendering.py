"""Rendering is pure: any text stays within Discord's limits and can neither ping nor format."""

from __future__ import annotations

import datetime as dt
import re

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discord_bot.commands import choice_value, figure_pages
from bot.discord_bot.filters import day_option, outlet_choices
from bot.discord_bot.rendering import (
    CHOICE_MAX,
    CITATIONS_PER_PAGE,
    FIGURES_PER_PAGE,
    READING_MAX,
    inert,
    notice,
    render_answer,
    render_article,
    render_figures,
    render_ingest,
    render_search,
    render_stats,
    safe_url,
    thread_name,
    truncate,
)
from bot.discord_bot.timelines import render_timeline
from bot.display import BIDI_CONTROLS
from index import BadFilterError
from index.models import (
    AbstainReason,
    Answer,
    AnswerLine,
    ArticleFilter,
    ArticleInfo,
    Citation,
    CountedThing,
    Figure,
    FigureGroup,
    FigureReport,
    FigureValue,
    IngestReport,
    Period,
    PeriodBasis,
    Quote,
    SearchHit,
    SkipReason,
    Source,
    Stats,
    Status,
    Timeline,
    TimelineEvent,
    Visibility,
)
from tests.bot.discord_bot.fake_discord.limits import choice_errors, message_errors
from tests.bot.discord_bot.fake_discord.markdown import live_markup, read_back
from tests.fixtures.answers import listing, read_as

PING = re.compile(r"@(everyone|here)|<@[!&]?\d{17,20}>")
NASTY = [
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<@&123456789012345678>",
    "<@!123456789012345678>",
    "**",
    "__",
    "`",
    "```",
    "|| ||",
    "> ",
    "# ",
    "- ",
    "[x](https://evil.example)",
    "\\",
    "\n",
    "é",
    "🙂",
]

pieces = st.one_of(st.sampled_from(NASTY), st.text(max_size=20))
texts = st.builds(lambda parts, n: "".join(parts) * n, st.lists(pieces, max_size=8), st.integers(1, 400))
urls = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "https://news.example/a",
            "javascript:alert(1)",
            "https://x.example/a)b c",
            "https://e.example/" + "y" * 600,
        ]
    ),
    texts,
)
dates = st.one_of(st.none(), st.dates())


def source(title: str, url: str | None, outlet: str, date: dt.date | None, article_id: str = "a") -> Source:
    return Source(article_id=article_id, title=title, url=url, outlet=outlet, published=date)


def citation(
    n: int, title: str, url: str | None, outlet: str, sentence: str, date, span: tuple[int, int] | None = None
) -> Citation:
    return Citation(
        n=n,
        source=source(title, url, outlet, date, f"id{n}"),
        sentence=sentence,
        start=0,
        end=len(sentence),
        score=1.0,
        period="2021",
        answer_span=span,
    )


def _span(sentence: str, a: int, b: int) -> tuple[int, int] | None:
    a, b = sorted((a % (len(sentence) + 1), b % (len(sentence) + 1)))
    return (a, b) if a < b else None


citations = st.lists(
    st.builds(
        lambda t, u, o, s, d, a, b: (t, u, o, s, d, _span(s, a, b)),
        texts,
        urls,
        texts,
        texts,
        dates,
        st.integers(0, 10_000),
        st.integers(0, 10_000),
    ),
    max_size=12,
).map(lambda items: [citation(i, *item) for i, item in enumerate(items, 1)])
related = st.lists(
    st.builds(
        lambda t, u, o, s, d: Quote(
            source=source(t, u, o, d, "r"), sentence=s, start=0, end=len(s), score=0.5
        ),
        texts,
        urls,
        texts,
        texts,
        dates,
    ),
    max_size=6,
)


def _answer(
    question: str, abstained: bool, cited: list[Citation], related: list[Quote], stated: int
) -> Answer:
    if abstained or not cited:
        return Answer(
            question=question, abstained=True, abstain_reason=AbstainReason.NO_ANSWER, related=related
        )
    lines = [AnswerLine(citation=c.n, period=c.period) for c in cited[: max(1, stated % len(cited) + 1)]]
    return Answer(question=question, abstained=False, lines=lines, citations=cited, related=related)


answers = st.builds(_answer, texts, st.booleans(), citations, related, st.integers(0, 12))


def strings(embed: discord.Embed) -> list[str]:
    data = embed.to_dict()
    found = [
        data.get("title", ""),
        data.get("description", ""),
        data.get("footer", {}).get("text", ""),
    ]
    return found + [f["name"] for f in data.get("fields", [])] + [f["value"] for f in data.get("fields", [])]


def assert_sendable(embed: discord.Embed) -> None:
    assert message_errors({"embeds": [embed.to_dict()]}) == []
    assert len(embed) <= 6000
    for text in strings(embed):
        assert not PING.search(text), text


@settings(max_examples=150, deadline=None)
@given(answers)
def test_every_answer_page_is_sendable_and_pages_cover_all_sources(answer: Answer) -> None:
    page = render_answer(answer)
    assert_sendable(page.embed)
    shown, start = [], 0
    while start < len(answer.quoted):
        page = render_answer(answer, start)
        assert_sendable(page.embed)
        assert 1 <= page.shown <= CITATIONS_PER_PAGE  # "More sources" always moves on
        shown += [int(f["name"][1:].split("]")[0]) for f in page.embed.to_dict()["fields"]]
        start += page.shown
    assert shown == [c.n for c in answer.quoted]


@settings(max_examples=50, deadline=None)
@given(
    texts,
    st.lists(
        st.builds(
            lambda t, u, o, s, d: SearchHit(source=source(t, u, o, d), snippet=s, score=1.0),
            texts,
            urls,
            texts,
            texts,
            dates,
        ),
        max_size=10,
    ),
)
def test_search_results_are_sendable(query: str, hits: list[SearchHit]) -> None:
    assert_sendable(render_search(query, hits).embed)


@settings(max_examples=50, deadline=None)
@given(texts, urls, texts, texts, texts)
def test_article_and_ingest_summaries_are_sendable(title, url, outlet, author, source) -> None:
    info = ArticleInfo(
        article_id=source,
        title=title,
        url=url,
        outlet=outlet,
        author=author,
        published=dt.date(2021, 1, 2),
        published_inferred=True,
        visibility=Visibility.INTERNAL,
        status=Status.PUBLISHED,
        sentences=3,
        chunks=1,
    )
    assert_sendable(render_article(info).embed)
    report = IngestReport(added=["a"], skipped=[SkipReason(source=source, reason=title)] * 50)
    assert_sendable(render_ingest(title, report).embed)


def test_archive_text_cannot_format_or_link() -> None:
    answer = Answer(
        question="q",
        abstained=False,
        lines=[AnswerLine(citation=1)],
        citations=[
            citation(
                1,
                "A [fake](https://evil.example) title",
                "https://news.example/a",
                "Outlet",
                "The **bold** _claim_ in `code` @everyone",
                dt.date(2021, 5, 3),
            ),
        ],
    )
    field = render_answer(answer).embed.fields[0]
    assert field.name == "[1] Outlet · 2021-05-03 · covers 2021"
    assert "\\*\\*bold\\*\\* \\_claim\\_ in \\`code\\` @\u200beveryone" in field.value
    assert field.value.endswith(
        "— [A \\[fake\\]\\(https\\://evil\\.example\\) title](https://news.example/a)"
    )


def test_the_answer_leads_in_bold_then_its_sentence_with_the_span_bold_and_the_rest_inert() -> None:
    sentence = "Chicago saw nearly 2,098 cars_jacked, **they** said."
    answer = Answer(
        question="q",
        abstained=False,
        lines=[AnswerLine(citation=1)],
        citations=[citation(1, "T", None, "O", sentence, None, span=(12, 24))],
    )
    assert render_answer(answer).embed.description == (
        "**nearly 2,098**\nChicago saw **nearly 2,098** cars\\_jacked, \\*\\*they\\*\\* said\\. [1]"
    )


def test_figures_for_several_periods_are_listed_with_their_periods() -> None:
    first = citation(
        1, "T", None, "O", "More than 500 were logged from January to April.", None, span=(0, 13)
    )
    second = citation(2, "T", None, "O", "Then 942 were counted.", None, span=(5, 8))
    answer = Answer(
        question="q",
        abstained=False,
        citations=[first, second],
        lines=[AnswerLine(citation=1, period="from January to April"), AnswerLine(citation=2)],
    )
    assert render_answer(answer).embed.description == (
        "Sources give these figures:\n"
        "- from January to April: **More than 500** — **More than 500** were logged from January to "
        "April\\. [1]\n"
        "- period not stated in the sentence: **942** — Then **942** were counted\\. [2]"
    )


def test_abstention_says_not_in_the_archive_and_shows_related_only_as_related() -> None:
    answer = Answer(
        question="q",
        abstained=True,
        abstain_reason=AbstainReason.NO_ANSWER,
        period="2021",
        related=[
            Quote(source=source("T", None, "O", None, "r"), sentence="close", start=0, end=5, score=0.1)
        ],
    )
    embed = render_answer(answer).embed
    assert embed.description.startswith("**Not in the archive.**\nNo article I have answers this for 2021\\.")
    assert [f.name for f in embed.fields] == ["Related: O · date unknown"]
    assert "“close”" in embed.fields[0].value


def test_only_plain_http_urls_become_links() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://x.example/a)b c") == "https://x.example/a%29b%20c"
    assert safe_url("https://e.example/" + "y" * 600) is None


def test_truncate_and_thread_names() -> None:
    assert truncate("abcdef", 4) == "abc…" and truncate("abc", 4) == "abc"
    assert thread_name("  how many\ncarjackings?  ") == "how many carjackings?"
    assert thread_name("   ") == "Question" and len(thread_name("x" * 500)) == 100


@settings(max_examples=100, deadline=None)
@given(texts)
def test_notices_and_thread_names_fit_and_cannot_ping(text: str) -> None:
    message = notice(text)
    assert message_errors({"content": message}) == [] and not PING.search(message)
    name = thread_name(text)
    assert 1 <= len(name) <= 100 and "\n" not in name


@settings(max_examples=50, deadline=None)
@given(texts, texts)
def test_stats_and_autocomplete_choices_are_sendable(model: str, title: str) -> None:
    stats = Stats(
        articles=1,
        sentences=2,
        chunks=3,
        vectors=3,
        retracted=0,
        internal=0,
        model=model,
        dimension=384,
        last_ingest=None,
        feedback_helpful=0,
        feedback_unhelpful=0,
        index_dir="/x",
    )
    assert_sendable(render_stats(stats).embed)
    for article_id in (title, "https://news.example/" + "x" * 200):
        info = ArticleInfo(
            article_id=article_id,
            title=title,
            url=None,
            outlet=None,
            author=None,
            published=None,
            published_inferred=False,
            visibility=Visibility.PUBLIC,
            status=Status.PUBLISHED,
            sentences=1,
            chunks=1,
        )
        choice = {"name": truncate(info.title or "Untitled", CHOICE_MAX), "value": choice_value(info)}
        assert choice_errors([choice]) == []


# ---- archive text is quoted, never markup ---------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(texts)
def test_inert_text_has_no_live_markup_and_reads_as_written(text: str) -> None:
    shown = inert(text, 10 * len(text) + 10)
    assert live_markup(shown) == "" and not BIDI_CONTROLS & set(shown)
    expected = "".join(ch for ch in text if ch not in BIDI_CONTROLS)
    assert read_back(shown).replace("@\u200b", "@") == expected


def test_an_odd_number_of_stars_in_the_article_cannot_move_the_bold() -> None:
    sentence = "Fans wrote ** at https://x.example/a**b and ***; police counted 942 cars."
    at = sentence.index("942")
    answer = Answer(
        question="q",
        abstained=False,
        lines=[AnswerLine(citation=1)],
        citations=[citation(1, "T", None, "O", sentence, None, span=(at, at + 3))],
    )
    description = render_answer(answer).embed.description
    assert live_markup(description) == "********[]", "only the answer's bold (twice) and the citation number"
    assert read_back(description) == "**942**\n" + sentence.replace("942", "**942**") + " [1]"


def test_timestamps_commands_channels_and_emoji_in_archive_text_stay_text() -> None:
    tokens = (
        "<t:1700000000:R> </ban:123456789012345678> <#123456789012345678> <id:customize> "
        "<:party:123456789012345678> <a:wave:123456789012345678> <@&123456789012345678>"
    )
    answer = Answer(
        question=tokens,
        abstained=False,
        lines=[AnswerLine(citation=1)],
        citations=[citation(1, tokens, "https://news.example/a", tokens, f"Due {tokens}.", None)],
    )
    embed = render_answer(answer).embed
    for text in strings(embed):
        assert "<" not in live_markup(text), text


def test_bidirectional_overrides_in_archive_text_are_dropped() -> None:
    answer = Answer(
        question="q\u202e",
        abstained=False,
        lines=[AnswerLine(citation=1)],
        citations=[citation(1, "Title \u2067x", None, "\u202dOutlet", "Open \u202egnp.exe now.", None)],
    )
    assert not any(BIDI_CONTROLS & set(text) for text in strings(render_answer(answer).embed))


def test_a_link_with_a_user_part_is_not_a_link() -> None:
    assert safe_url("https://trusted.example@evil.example/") is None
    assert safe_url("https://user:pass@evil.example/") is None
    assert safe_url("https://evil.example\\@trusted.example/") is None
    assert safe_url("https://news.example/people/@reporter") == "https://news.example/people/@reporter"


def test_an_article_links_the_urls_it_was_also_published_at_and_counts_its_copies_in_files() -> None:
    info = ArticleInfo(
        article_id="https://one.example/bridge",
        title="Bridge reopens",
        url="https://one.example/bridge",
        outlet=None,
        author=None,
        published=None,
        published_inferred=False,
        visibility=Visibility.PUBLIC,
        status=Status.PUBLISHED,
        sentences=1,
        chunks=1,
        also_published_as=["https://two.example/bridge", "/srv/archive/wire/bridge.txt"],
    )
    fields = {f.name: f.value for f in render_article(info).embed.fields}
    linked, rest = fields["Also published as"].split(", ")
    assert linked.endswith("](https://two.example/bridge)") and rest == "1 more", (
        "a server's file path is not shown in Discord"
    )
    assert_sendable(render_article(info).embed)


def test_an_abstention_says_when_the_article_it_would_have_come_from_was_retracted() -> None:
    gone = Source(
        article_id="a",
        title="Carjackings",
        url=None,
        outlet=None,
        published=None,
        retracted_on=dt.date(2022, 8, 1),
    )
    answer = Answer(question="q", abstained=True, period="2021", retracted=gone)
    description = render_answer(answer).embed.description or ""
    assert description.splitlines()[-1] == (
        'The article that reported this \\("Carjackings"\\) was retracted on 2022\\-08\\-01\\.'
    ), "inert, as all archive text is"


def _figure_report(
    topic: str, cited: list[Citation], things: list[str], attributed: list[str]
) -> FigureReport:
    groups = [
        FigureGroup(
            period=Period(start=dt.date(2000 + n, 1, 1), end=dt.date(2000 + n, 12, 31), text=str(2000 + n)),
            label=str(2000 + n),
            figures=[
                Figure(
                    value=FigureValue(text=c.sentence[:30] or "1", number=n),
                    thing=things[n % len(things)] if things else None,
                    place=c.source.title[:40] or None,
                    period=None,
                    citation=c.model_copy(update={"attributed_to": attributed[n % len(attributed)] or None}),
                )
            ],
            disagree=n % 2 == 0,
        )
        for n, c in enumerate(cited)
    ]
    return FigureReport(topic=topic, things=[CountedThing(thing=t, groups=groups) for t in things[:3]])


@settings(max_examples=100, deadline=None)
@given(texts, citations, st.lists(texts, min_size=1, max_size=3), st.lists(texts, min_size=1, max_size=3))
def test_every_figures_page_is_sendable_and_the_pages_show_every_figure_once_with_the_chart_first(
    topic, cited, things, attributed
) -> None:
    report = _figure_report(topic, cited, things, attributed)
    pages = figure_pages(report, b"\x89PNG")
    figures = [f.citation.n for t in report.things for g in t.groups for f in g.figures]
    assert pages.total == len(figures)
    start, seen = 0, []
    while True:
        page = pages.render(start)
        assert_sendable(page.embed)
        shown = [int(f["name"][1:].split("]")[0]) for f in page.embed.to_dict().get("fields", [])]
        assert all(f"\\[{n}\\]" in (page.embed.description or "") for n in shown)
        seen += shown
        first = start == 0
        assert (page.embed.image.url == "attachment://figures.png") is first
        assert [f.filename for f in pages.files(start)] == (["figures.png"] if first else [])
        if start + page.shown >= len(figures):
            break
        assert 1 <= page.shown <= FIGURES_PER_PAGE  # paging always moves on
        start += page.shown
    assert seen == figures


def test_figures_show_each_period_in_bold_with_sources_and_flag_disagreements() -> None:
    sheriff = citation(1, "Record year", None, "NBC 5", "Chicago saw 2,098 carjackings.", None, (12, 17))
    police = citation(2, "Fewer", None, "Sun-Times", "Police data show 1,849 carjackings.", None, (17, 22))
    group = FigureGroup(
        period=Period(start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31), text="2021"),
        label="2021",
        figures=[
            Figure(
                value=FigureValue(text="2,098", number=2098),
                thing="carjackings",
                period=None,
                citation=sheriff.model_copy(update={"attributed_to": "Sheriff's Office"}),
            ),
            Figure(
                value=FigureValue(text="1,849", number=1849),
                thing="carjackings",
                period=None,
                citation=police.model_copy(update={"attributed_to": "police data"}),
            ),
        ],
        disagree=True,
    )
    report = FigureReport(topic="carjackings", things=[CountedThing(thing="carjackings", groups=[group])])
    lines = read_back(render_figures(report).embed.description).splitlines()
    assert lines == [
        "**carjackings**",
        "- 2021: **2,098 carjackings** — NBC 5, Sheriff's Office [1]",
        "- 2021: **1,849 carjackings** — Sun-Times, police data [2]",
        "⚠ sources disagree for 2021: 2,098 (NBC 5, Sheriff's Office) · 1,849 (Sun-Times, police data)",
    ]


def _timeline(topic: str, items: list, words: str) -> Timeline:
    events = []
    for i, (title, url, outlet, sentence, date, also) in enumerate(items):
        day = date or dt.date(2021, 3, 14)
        quote = Quote(
            source=source(title, url, outlet, date, f"t{i}"),
            sentence=sentence,
            start=0,
            end=len(sentence),
            score=0.5,
        )
        period = Period(start=day, end=day, text=words, basis=PeriodBasis.RELATIVE)
        events.append(TimelineEvent(period=period, quote=quote, also_reported_by=[quote] * also))
    return Timeline(topic=topic, events=events)


timelines = st.builds(
    _timeline,
    texts,
    st.lists(st.tuples(texts, urls, texts, texts, dates, st.integers(0, 30)), max_size=14),
    texts,
)


@settings(max_examples=100, deadline=None)
@given(timelines)
def test_every_timeline_page_is_sendable_and_the_pages_show_every_event_once(timeline: Timeline) -> None:
    start, seen = 0, 0
    while True:
        page = render_timeline(timeline, start)
        assert_sendable(page.embed)
        seen += page.shown
        if not timeline.events or start + page.shown >= len(timeline.events):
            break
        assert page.shown > 0  # paging always moves on
        start += page.shown
    assert seen == len(timeline.events)


def test_a_timeline_event_names_its_day_and_the_other_outlets_that_reported_it() -> None:
    first = Quote(
        source=source("Water main breaks", "https://ledger.example/a", "Ledger", dt.date(2023, 5, 10)),
        sentence="A water main broke on Monday.",
        start=0,
        end=29,
        score=0.6,
    )
    other = first.model_copy(
        update={"source": source("Water back", None, "River Valley News", dt.date(2023, 5, 12))}
    )
    period = Period(
        start=dt.date(2023, 5, 8), end=dt.date(2023, 5, 8), text="Monday", basis=PeriodBasis.RELATIVE
    )
    timeline = Timeline(
        topic="water main",
        events=[TimelineEvent(period=period, quote=first, date_span=(21, 27), also_reported_by=[other])],
    )
    [field] = render_timeline(timeline).embed.fields
    assert read_back(field.name) == "1. 2023-05-08 (Monday)"
    assert read_back(field.value) == (
        "“A water main broke on Monday.”\n"
        "— [Water main breaks](https://ledger.example/a) · Ledger · 2023-05-10\n"
        "Also reported by: River Valley News · 2023-05-12"
    )


# ---- the reading line and the filter options -------------------------------------------------


def test_an_answer_footer_says_first_how_the_question_was_read():
    answer = listing().model_copy(update={"reading": read_as()})
    footer = render_answer(answer).embed.footer.text
    assert footer is not None
    assert footer.splitlines() == [
        "Read as: how many · carjackings · in 2021 · all outlets",
        "Sources 1–2 of 2 · quotes are verbatim from the archive",
    ]
    abstained = Answer(question="how many carjackings in 2021?", abstained=True, reading=read_as())
    assert render_answer(abstained).embed.footer.text == (
        "Read as: how many · carjackings · in 2021 · all outlets\nNothing in the archive answers this."
    )


@settings(max_examples=100, deadline=None)
@given(answers, texts, texts)
def test_any_reading_keeps_every_answer_page_sendable_and_unable_to_ping(answer: Answer, subject, outlet):
    reading = read_as(subject=subject, counted=None, filters=ArticleFilter(outlet=outlet or None))
    page = render_answer(answer.model_copy(update={"reading": reading}))
    assert_sendable(page.embed)
    footer = page.embed.footer.text or ""
    assert footer.startswith("Read as: ") and len(footer.split("\n")[0]) <= READING_MAX
    assert not set(footer) & BIDI_CONTROLS


def test_dates_typed_into_ask_options_are_read_as_days_or_refused_saying_how_to_write_them():
    assert day_option("since", " 2022-07-28 ") == dt.date(2022, 7, 28)
    assert day_option("since", None) is None and day_option("until", "  ") is None
    try:
        day_option("until", "28/07/2022")
    except BadFilterError as refused:
        assert str(refused) == "until: '28/07/2022' is not a date; write it as YYYY-MM-DD, e.g. 2022-07-28."
    else:
        raise AssertionError("a date not written YYYY-MM-DD was taken")


def test_outlet_choices_hold_what_was_typed_in_any_case_within_discord_limits():
    outlets = [
        "Example Sun",
        "Example Tribune",
        "Harbour Post",
        "x" * 101,
        *(f"Example {n}" for n in range(40)),
    ]
    assert [c.value for c in outlet_choices(outlets, "TRIB")] == ["Example Tribune"]
    offered = outlet_choices(outlets, "")
    assert len(offered) == 25 and "x" * 101 not in [c.value for c in offered]
    assert choice_errors([{"name": c.name, "value": c.value} for c in offered]) == []
