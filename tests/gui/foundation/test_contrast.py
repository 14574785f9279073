"""Readable in both themes: every text role and status tone against its background, disabled looks disabled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from ui.colors import DARK, LIGHT, Tone, contrast, is_dark, tone_color
from ui.theme import palette_for

AA = 4.5
Role = QPalette.ColorRole
Group = QPalette.ColorGroup
TEXT_ON = [
    (Role.Text, Role.Base), (Role.Text, Role.AlternateBase), (Role.WindowText, Role.Window),
    (Role.ButtonText, Role.Button), (Role.HighlightedText, Role.Highlight), (Role.PlaceholderText, Role.Base),
    (Role.ToolTipText, Role.ToolTipBase), (Role.Link, Role.Base), (Role.Link, Role.Window),
]
TONE_ON = [Role.Window, Role.Base, Role.AlternateBase]
UI = Path(__file__).resolve().parents[3] / "ui"


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("fg", "bg"), TEXT_ON, ids=lambda r: r.name)
def test_text_roles_meet_aa(qapp: QApplication, theme: str, fg: QPalette.ColorRole, bg: QPalette.ColorRole) -> None:
    p = palette_for(theme)
    ratio = contrast(p.color(Group.Active, fg), p.color(Group.Active, bg))
    assert ratio >= AA, f"{theme}: {fg.name} on {bg.name} is {ratio:.2f}:1"


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("tone", list(Tone))
@pytest.mark.parametrize("bg", TONE_ON, ids=lambda r: r.name)
def test_status_tones_meet_aa(qapp: QApplication, theme: str, tone: Tone, bg: QPalette.ColorRole) -> None:
    p = palette_for(theme)
    ratio = contrast(tone_color(tone, p), p.color(Group.Active, bg))
    assert ratio >= AA, f"{theme}: {tone} on {bg.name} is {ratio:.2f}:1"


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("fg", "bg"), [(Role.ButtonText, Role.Button), (Role.Text, Role.Base),
                                        (Role.WindowText, Role.Window)], ids=lambda r: r.name)
def test_disabled_text_is_visibly_dimmer_yet_legible(qapp: QApplication, theme: str, fg: QPalette.ColorRole,
                                                     bg: QPalette.ColorRole) -> None:
    p = palette_for(theme)
    enabled = contrast(p.color(Group.Active, fg), p.color(Group.Active, bg))
    disabled = contrast(p.color(Group.Disabled, fg), p.color(Group.Disabled, bg))
    assert disabled <= enabled / 2, f"{theme}: disabled {fg.name} ({disabled:.2f}:1) looks like enabled ({enabled:.2f}:1)"
    assert disabled >= 2.0, f"{theme}: disabled {fg.name} is unreadable ({disabled:.2f}:1)"


def test_tones_follow_the_theme(qapp: QApplication) -> None:
    assert is_dark(palette_for("dark")) and not is_dark(palette_for("light"))
    assert tone_color(Tone.ERROR, palette_for("dark")).name() == DARK[Tone.ERROR]
    assert tone_color(Tone.ERROR, palette_for("light")).name() == LIGHT[Tone.ERROR]


def test_no_panel_hard_codes_a_colour() -> None:
    """Colours come from the palette or ui.colors, so both themes are covered by the tests above."""
    pattern = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|GlobalColor\.(red|green|darkGreen|dark|blue|gray)\b")
    allowed = {UI / "colors.py", UI / "theme.py"}
    found = [f"{path.relative_to(UI.parent)}:{n}: {line.strip()}"
             for path in sorted(UI.rglob("*.py")) if path not in allowed
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if pattern.search(line)]
    assert not found, "hard-coded colours:\n" + "\n".join(found)
