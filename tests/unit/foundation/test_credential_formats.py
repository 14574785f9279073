"""The credential format rules (app.credentials): wrong kinds of value are named, right ones pass."""

from __future__ import annotations

import pytest

from app.credentials import FORMATS, credential_problem
from services.secrets import PROVIDER_NAMES


def test_every_provider_has_a_hint() -> None:
    assert set(FORMATS) == set(PROVIDER_NAMES)


@pytest.mark.parametrize(("name", "value"), [
    ("stripe", "sk_test_51HabcDEF"), ("stripe", "rk_live_abc123456"), ("gumroad", "tok_0123456789abcdef"),
    ("itch", "a1B2c3D4e5F6g7H8"), ("kofi", "verif-token-1"), ("x", "AAAA-test-bearer"),
    ("tiktok", "Cookie: a=b\nUser-Agent: Firefox"),
])
def test_values_of_the_right_form_pass(name: str, value: str) -> None:
    assert credential_problem(name, value) is None


@pytest.mark.parametrize(("name", "value", "said"), [
    ("stripe", "pk_live_abc123456", "publishable key"),
    ("stripe", "sk_abc", "starts with sk_test_"),
    ("gumroad", "sk_test_51HabcDEF", "looks like a Stripe key"),
    ("itch", "abc def ghi jkl", "without spaces or line breaks"),
    ("x", '{"bearer": "x"}', "JSON document"),
    ("kofi", "short", "copied whole"),
    ("tiktok", "just a cookie value", "Name: value"),
    ("gumroad", "   ", "empty"),
])
def test_values_of_the_wrong_form_are_named(name: str, value: str, said: str) -> None:
    problem = credential_problem(name, value)
    assert problem is not None and said in problem
