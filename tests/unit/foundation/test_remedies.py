"""Remedies rendered by the command line: each as the command to type, in the error's one line."""

from __future__ import annotations

import pytest

from app.errors import NotFoundError
from app.remedies import (
    CompensateRun,
    CreateKey,
    Remedy,
    RemedyAction,
    RerunRun,
    RetryPayment,
    SetCredential,
    SyncPayments,
)
from ui.cli.remedies import command, with_remedy

REMEDIES = sorted(Remedy.__subclasses__(), key=lambda c: c.__name__)


def _example(cls: type[Remedy]) -> Remedy:
    return cls(**dict.fromkeys(cls.__slots__, "x"))


@pytest.mark.parametrize("cls", REMEDIES, ids=lambda c: c.__name__)
def test_every_remedy_renders_as_a_command_line(cls: type[Remedy]) -> None:
    rendered = command(_example(cls))
    assert rendered.startswith(("trendforge ", "add --")), rendered


def test_every_action_has_its_remedy_type() -> None:
    assert sorted(c.action for c in REMEDIES) == sorted(RemedyAction)


def test_a_remedy_carries_its_arguments_into_the_command() -> None:
    assert command(RetryPayment("3f9a")) == "trendforge payments retry 3f9a"
    assert command(SyncPayments("itch")) == "trendforge payments sync --provider itch"
    assert command(CreateKey(None)) == "trendforge keys create ALIAS"


def test_the_error_line_is_the_message_then_what_to_type() -> None:
    exc = NotFoundError("no key 'upload'", remedy=CreateKey("upload"))
    assert with_remedy(str(exc), exc.remedy) == (
        "no key 'upload'; create the signing key 'upload': trendforge keys create upload")


def test_a_message_without_remedy_is_left_as_it_is() -> None:
    assert with_remedy("the amount must be positive", None) == "the amount must be positive"


def test_the_play_key_is_read_from_a_file_on_stdin() -> None:
    assert command(SetCredential("play")) == "trendforge credentials set play < key.json"


def test_a_workflow_remedy_renders_the_run_and_its_force() -> None:
    assert command(CompensateRun("r1")) == "trendforge workflow compensate r1"
    assert command(CompensateRun("r1", force=True)) == "trendforge workflow compensate r1 --force"
    assert command(RerunRun("r1", "build", force=True)) == "trendforge workflow rerun r1 --from build --force"
    assert command(RerunRun("r1")) == "trendforge workflow rerun r1 --from STEP"
