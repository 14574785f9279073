"""`trendforge payments ...` end to end: real CLI process, real keyring, localstripe."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

st = sys.modules["payments_standins"]


def test_charge_list_refund_summary_failed_via_cli(cli: Any, e2e_localstripe: str, tmp_path: Path) -> None:
    env = {"TRENDFORGE_STRIPE_BASE_URL": e2e_localstripe}
    r = cli("credentials", "set", "stripe", input=st.STRIPE_KEY + "\n", env=env)
    assert r.returncode == 0, r.stderr

    r = cli("payments", "charge", "--provider", "stripe", "--template", "tpl-flash", "--amount", "9.99",
            "--currency", "USD", "--json", env=env)
    assert r.returncode == 0, r.stderr
    charged = json.loads(r.stdout)
    assert charged["status"] == "succeeded" and charged["amount"] == 999

    r = cli("payments", "list", "--json", env=env)
    assert r.returncode == 0, r.stderr
    [row] = json.loads(r.stdout)
    for key in ("id", "provider", "provider_id", "status", "amount", "currency", "refunded_amount", "template_id",
                "created_at"):
        assert key in row, key
    assert (row["provider"], row["amount"], row["currency"], row["template_id"]) == ("stripe", 999, "USD", "tpl-flash")
    assert isinstance(row["amount"], int) and row["provider_id"].startswith("pi_")

    r = cli("payments", "refund", row["id"], "--amount", "1.50", env=env)
    assert r.returncode == 0, r.stderr
    assert "refunded 1.50 USD" in r.stdout

    r = cli("payments", "refund", row["id"], "--amount", "100", env=env)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "only 8.49 USD" in r.stderr

    r = cli("payments", "summary", "--by", "provider", "--json", env=env)
    [s] = json.loads(r.stdout)
    assert (s["key"], s["gross"], s["refunds"], s["net"]) == ("stripe", 999, 150, 849)

    r = cli("payments", "summary", "--by", "month", env=env)
    assert r.returncode == 0 and "8.49" in r.stdout

    r = cli("payments", "sync", "--provider", "stripe", "--json", env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["added"] == 0

    r = cli("payments", "failed", "--json", env=env)
    assert json.loads(r.stdout) == []

    r = cli("payments", "charge", "--provider", "stripe", "--amount", "9.999", "--currency", "USD", env=env)
    assert r.returncode == 1 and "more decimals" in r.stderr
    r = cli("payments", "charge", "--provider", "stripe", "--amount", "1", env=env)
    assert r.returncode == 2  # usage: --currency missing
    r = cli("payments", "retry", "nope", env=env)
    assert r.returncode == 1 and "no transaction" in r.stderr

    f = tmp_path / "kofi.csv"
    f.write_text("DateTime (UTC),From,Message,Item,Received,Currency,TransactionType,TransactionId\n"
                 "2026-10-01 12:00:00,Ann,hi,,5.00,USD,Donation,tx-100\n")
    r = cli("payments", "import", "--provider", "kofi", str(f), "--json", env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["added"] == 1
    r = cli("payments", "list", "--provider", "kofi", "--json", env=env)
    assert [x["provider_id"] for x in json.loads(r.stdout)] == ["tx-100"]
    # the secret is nowhere in what the CLI printed
    assert st.STRIPE_KEY not in r.stdout + r.stderr
