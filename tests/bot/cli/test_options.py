"""The command line as `newsbot -h` describes it: every command and option explained, defaults
shown as they are."""

from __future__ import annotations

import argparse

import pytest

from bot.cli.options import build_parser, parse
from bot.settings import default_index_dir


def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_option_of_every_command_has_help_text():
    parser = build_parser()
    missing = [
        f"{name} {'/'.join(action.option_strings) or action.dest}"
        for name, command in {"newsbot": parser, **commands(parser)}.items()
        for action in command._actions
        if not isinstance(action, argparse._SubParsersAction) and not action.help
    ]
    assert missing == []


def test_every_command_says_what_it_does():
    [sub] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert all(choice.help for choice in sub._choices_actions)


def test_the_index_dir_help_shows_the_real_default(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert str(default_index_dir()) == str(tmp_path / "newsbot" / "index")
    help_text = " ".join(commands(build_parser())["ask"].format_help().split())
    assert str(tmp_path / "newsbot" / "index") in help_text and "NEWSBOT_INDEX_DIR" in help_text


def test_verbosity_counts_its_vs():
    assert parse(["stats"]).verbose == 0
    assert parse(["stats", "-v"]).verbose == 1
    assert parse(["stats", "-vv"]).verbose == 2


@pytest.mark.parametrize("limit", ["0", "-3", "ten"])
def test_a_search_limit_that_is_not_a_positive_whole_number_is_refused(limit, capsys):
    with pytest.raises(SystemExit) as stopped:
        parse(["search", "carjackings", "--limit", limit])
    assert stopped.value.code == 2
    assert "--limit" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--since", "--until"])
def test_a_search_date_not_written_yyyy_mm_dd_is_refused(flag, capsys):
    with pytest.raises(SystemExit) as stopped:
        parse(["search", "carjackings", flag, "last week"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert flag in err and "YYYY-MM-DD" in err
