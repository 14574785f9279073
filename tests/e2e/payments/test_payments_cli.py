"""`trendforge payments ...` end to end: real CLI process, real keyring, localstripe."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.support import payments_standins as st


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
    # a file with a bad row: the good rows go in, the bad one is named on stderr, exit 1 -- also the second time
    bad = tmp_path / "kofi-bad.csv"
    bad.write_text("DateTime (UTC),From,Message,Item,Received,Currency,TransactionType,TransactionId\n"
                   "2026-10-02 12:00:00,Bob,,,7.00,USD,Donation,tx-101\n"
                   "2026-10-03 12:00:00,Cy,,,lots,USD,Donation,tx-102\n")
    for expected_added in (1, 0):
        r = cli("payments", "import", "--provider", "kofi", str(bad), "--json", env=env)
        assert r.returncode == 1 and "rejected:" in r.stderr, r.stderr
        assert json.loads(r.stdout)["added"] == expected_added
    r = cli("payments", "list", "--provider", "kofi", "--json", env=env)
    assert sorted(x["provider_id"] for x in json.loads(r.stdout)) == ["tx-100", "tx-101"]
    # the secret is nowhere in what the CLI printed
    assert st.STRIPE_KEY not in r.stdout + r.stderr


def test_kofi_listen_command_takes_webhooks(cli: Any, data_dir: Path) -> None:
    import os
    import subprocess
    import time
    import urllib.parse
    import urllib.request

    r = cli("credentials", "set", "kofi", input="kofi-token-e2e\n")
    assert r.returncode == 0, r.stderr
    port = st.free_port()
    root = Path(__file__).resolve().parents[3]
    env = dict(os.environ)
    env.pop("TRENDFORGE_HOME", None)
    proc = subprocess.Popen([sys.executable, str(root / "main.py"), "--data-dir", str(data_dir), "payments", "listen",
                             "--port", str(port), "--seconds", "20"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f"127.0.0.1:{port}" in line
        payload = {"verification_token": "kofi-token-e2e", "message_id": "m-1", "timestamp": "2026-11-01T10:00:00Z",
                   "type": "Donation", "amount": "4.00", "currency": "USD", "kofi_transaction_id": "k-1"}
        body = ("data=" + urllib.parse.quote(json.dumps(payload))).encode()
        for _ in range(2):  # Ko-fi's retry of the same message
            with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/", data=body), timeout=10) as resp:
                assert resp.status == 200
        time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    r = cli("payments", "list", "--provider", "kofi", "--json")
    rows = json.loads(r.stdout)
    assert [(x["provider_id"], x["amount"]) for x in rows] == [("k-1", 400)]


def test_refund_takes_a_unique_prefix_of_the_transaction_id(cli: Any, tmp_path: Path) -> None:
    f = tmp_path / "kofi.csv"
    f.write_text("DateTime (UTC),From,Message,Item,Received,Currency,TransactionType,TransactionId\n"
                 "2026-10-01 12:00:00,Ann,hi,,5.00,USD,Donation,tx-200\n")
    assert cli("payments", "import", "--provider", "kofi", str(f)).returncode == 0
    txn = json.loads(cli("payments", "list", "--json").stdout)[0]
    r = cli("payments", "refund", txn["id"][:8], "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(cli("payments", "list", "--json").stdout)[0]["refunded_amount"] == 500
