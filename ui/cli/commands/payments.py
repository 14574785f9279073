"""CLI commands of the payments area (see the CLI contract in DESIGN.md)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    """Add this area's commands to the parser. Nothing here yet."""
