"""Every status colour the GUI uses, one value per theme, each readable (WCAG AA) on that theme.

Panels name a :class:`Tone` (what the colour means), never a hex value; the value follows the
application palette, so a status reads as well on the dark theme as on the light one. The
contrast test computes every tone against the backgrounds it is drawn on.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QWidget


class Tone(enum.StrEnum):
    OK = "ok"  # succeeded, healthy, rising
    WARNING = "warning"  # interrupted, partially refunded, needs action
    ERROR = "error"  # failed, declined, an error message
    INFO = "info"  # running, new
    SPECIAL = "special"  # compensating, compensated, breakout
    MUTED = "muted"  # cancelled, skipped, pending, not runnable
    BROWN = "brown"  # peaked
    ACCENT = "accent"  # a drop target being hovered


LIGHT: dict[Tone, str] = {
    Tone.OK: "#1b6e30",
    Tone.WARNING: "#8a5000",
    Tone.ERROR: "#b00020",
    Tone.INFO: "#1456b0",
    Tone.SPECIAL: "#7b1fa2",
    Tone.MUTED: "#5f6368",
    Tone.BROWN: "#6d4c41",
    Tone.ACCENT: "#1f5fc8",
}
DARK: dict[Tone, str] = {
    Tone.OK: "#7ccf8f",
    Tone.WARNING: "#f2b15c",
    Tone.ERROR: "#ff8a8a",
    Tone.INFO: "#8ab4f8",
    Tone.SPECIAL: "#d7a1e3",
    Tone.MUTED: "#a9adb3",
    Tone.BROWN: "#d0ad9f",
    Tone.ACCENT: "#8ab4f8",
}


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (the application's by default) has light text on a dark window."""
    p = palette if palette is not None else QGuiApplication.palette()
    return p.color(QPalette.ColorRole.Window).lightness() < p.color(QPalette.ColorRole.WindowText).lightness()


def tone_hex(tone: Tone, palette: QPalette | None = None) -> str:
    return (DARK if is_dark(palette) else LIGHT)[tone]


def tone_color(tone: Tone, palette: QPalette | None = None) -> QColor:
    return QColor(tone_hex(tone, palette))


def tone_brush(tone: Tone, palette: QPalette | None = None) -> QBrush:
    return QBrush(tone_color(tone, palette))


def tone_span(tone: Tone, text: str) -> str:
    """``text`` (already escaped) in ``tone``, for rich-text labels (re-coloured by :func:`retone`)."""
    return f"<span class='tone-{tone.value}' style='color:{tone_hex(tone)}'>{text}</span>"


def relative_luminance(color: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def tone_style(tone: Tone) -> str:
    """A style sheet that colours a widget's text in ``tone`` (re-coloured by :func:`retone`)."""
    return f"/*tone:{tone.value}*/ color: {tone_hex(tone)};"


_STYLE_TONE = re.compile(r"/\*tone:(\w+)\*/ color: #[0-9a-fA-F]{6};")
_SPAN_TONE = re.compile(r"<span class='tone-(\w+)' style='color:#[0-9a-fA-F]{6}'>")


def retone(widgets: Iterable[QWidget]) -> int:
    """Give every tone in these widgets' style sheets and rich-text labels the current palette's value,
    so a theme switch re-colours status text at once. Returns how many widgets changed."""
    changed = 0
    for w in widgets:
        sheet = w.styleSheet()
        if "/*tone:" in sheet:
            new = _STYLE_TONE.sub(lambda m: tone_style(Tone(m.group(1))), sheet)
            if new != sheet:
                w.setStyleSheet(new)
                changed += 1
        if isinstance(w, QLabel) and "class='tone-" in (text := w.text()):
            new = _SPAN_TONE.sub(lambda m: f"<span class='tone-{m.group(1)}' "
                                           f"style='color:{tone_hex(Tone(m.group(1)))}'>", text)
            if new != text:
                w.setText(new)
                changed += 1
    return changed
