"""Redaction of secrets, and config resolution (data dir, base URL overrides)."""

from __future__ import annotations

from pathlib import Path

from app.redact import MASK, redact
from services.config import AppConfig, resolve_data_dir


def test_redacts_key_shapes_and_known_values() -> None:
    text = "charge with sk_test_abcdef123456 and Bearer abc.def.ghi123 token=s3cr3tvalue pw hunter22"
    out = redact(text, known_secrets=["hunter22"])
    assert "sk_test_abcdef123456" not in out
    assert "abc.def.ghi123" not in out
    assert "s3cr3tvalue" not in out
    assert "hunter22" not in out
    assert out.count(MASK) == 4


def test_plain_text_untouched() -> None:
    assert redact("built com.example.app 1.2.3 in 3s") == "built com.example.app 1.2.3 in 3s"


def test_data_dir_precedence(tmp_path: Path) -> None:
    assert resolve_data_dir(tmp_path / "a", {"TRENDFORGE_HOME": str(tmp_path / "b")}) == tmp_path / "a"
    assert resolve_data_dir(None, {"TRENDFORGE_HOME": str(tmp_path / "b")}) == tmp_path / "b"
    assert resolve_data_dir(None, {}).name == "TrendForge"


def test_base_url_env_override(tmp_path: Path) -> None:
    cfg = AppConfig.from_env(tmp_path, {"TRENDFORGE_STRIPE_BASE_URL": "http://127.0.0.1:8420/"})
    assert cfg.base_urls["STRIPE"] == "http://127.0.0.1:8420"
    assert cfg.base_urls["GUMROAD"].startswith("https://")
