"""A command line registers (and imports) only its own command's module; --help still lists them all."""

from __future__ import annotations

import argparse

from ui.cli.main import COMMAND_MODULES, build_parser, command_word


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(sub.choices)


def test_every_command_is_listed_with_the_module_that_registers_it() -> None:
    listed = [c for commands in COMMAND_MODULES.values() for c in commands]
    assert _commands(build_parser()) == listed


def test_the_command_word_skips_options_and_the_data_dirs_value() -> None:
    assert command_word(["--data-dir", "builds", "--json", "events", "list"]) == "events"
    assert command_word(["--data-dir=x", "health"]) == "health"
    assert command_word(["--version"]) is None


def test_a_known_command_builds_only_its_own_part() -> None:
    assert _commands(build_parser(["--json", "builds", "list"])) == ["keys", "build", "builds"]


def test_an_unknown_command_gets_the_whole_parser_for_its_error() -> None:
    assert _commands(build_parser(["bogus"])) == _commands(build_parser())

