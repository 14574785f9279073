"""TrendForge core: domain dataclasses, enums, events, errors and pure rules.

Nothing in this package imports Qt, SQLAlchemy, httpx, keyring, ``services`` or ``ui``.
"""

__version__ = "0.1.0"
VERSION_LINE = f"TrendForge {__version__}"  # what `trendforge --version` prints
