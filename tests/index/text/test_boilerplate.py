"""Page furniture (promos, credits, embedded tweets) is told apart from reporting."""

from __future__ import annotations

import pytest

from index.text.boilerplate import boilerplate_ranges, is_boilerplate_line


@pytest.mark.parametrize(
    "line",
    [
        "WATCH: Shocking Video Shows Carjacking in Broad Daylight on Dan Ryan Expressway",
        "READ MORE: Chicago carjackings hit a record",
        "Related: The sheriff's sticker program, explained",
        "Sign up for the weekly> Chicago Catch-Up newsletter.",
        "Feeling out of the loop? We'll catch you up on the Chicago news you need to know. "
        "Sign up for the weekly> Chicago Catch-Up newsletter.",
        "Subscribe to our newsletter for the latest headlines.",
        "Ashlee Rezin Garcia/Sun-Times",
        "Scott Olson/Getty Images",
        "(AP Photo/Charles Rex Arbogast)",
        "Photo: AP",
        "You can also anonymously send tips to police by going to https://t.co/tiYRTLc0eV.",
        "https://t.co/U6JRzduuT2 pic.twitter.com/HGe83xGOgO — Chicago Police (@Chicago_Police) "
        "March 16, 2021",
        "— Chicago Police Superintendent David O. Brown (@ChiefDavidBrown) March 15, 2021",
        "",
        "   ",
    ],
)
def test_promos_credits_and_embeds_are_boilerplate(line):
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "In 2021 alone, the Cook County Sheriff's Office confirms that Chicago saw nearly 2,098 "
        "incidents of vehicular hijacking.",
        "Officials say the incident took place around 6:05 p.m. in the 8800 block of South Constance Avenue.",
        '"We heard some rumors about a carjacking. We don\'t know at this point," Supt. Brown said.',
        "If you have any information about this shooting of an off-duty Chicago Police officer, "
        "please contact @Area2Detectives at (312) 747-8271.",
        "Just 57 of those cases have resulted in an arrest, according to city data.",
        "Watchdog groups criticized the sheriff's sticker program.",
        "More than 500 carjackings had been logged by April.",
        'Chicago Mayor Lori Lightfoot stated, "Unfortunately this event reminds us of the dangers '
        'that our officers face every single day, whether on or off duty."',
    ],
)
def test_ordinary_news_sentences_are_not_boilerplate(line):
    assert not is_boilerplate_line(line)


def test_a_news_sentence_about_signing_up_for_a_programme_is_not_boilerplate():
    assert not is_boilerplate_line(
        "Residents can sign up for the city's free steering-wheel lock program at any police "
        "district, officials said."
    )


def test_a_paragraph_opening_with_a_hyphenated_word_is_not_a_promo():
    assert not is_boilerplate_line("Video-sharing apps helped detectives identify the suspects, police said.")


def test_boilerplate_ranges_cover_exactly_the_furniture_lines():
    text = (
        "Ashlee Rezin Garcia/Sun-Times\n"
        "\n"
        "Police said the officer was in fair condition.\n"
        "WATCH: Video of the scene\n"
        "The suspects fled on foot."
    )
    ranges = boilerplate_ranges(text)
    assert [text[a:b] for a, b in ranges] == ["Ashlee Rezin Garcia/Sun-Times", "WATCH: Video of the scene"]


def test_seed_corpus_furniture_is_found(seed_articles):
    furniture = [
        text[a:b]
        for text in (article.text for article in seed_articles.values())
        for a, b in boilerplate_ranges(text)
    ]
    assert "Ashlee Rezin Garcia/Sun-Times" in furniture
    assert "WATCH: Shocking Video Shows Carjacking in Broad Daylight on Dan Ryan Expressway" in furniture
    assert any("newsletter" in line for line in furniture)
    assert any("pic.twitter.com" in line for line in furniture)
    assert not any("2,098" in line or "942" in line or "University of Chicago" in line for line in furniture)
