"""Parsing helpers of the sources, on bytes (no network)."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import pytest

from app.errors import ProviderError
from app.timeutil import utcnow
from services.trends.sources import _number, parse_trends_rss, retry_after_seconds

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:ht="https://trends.google.com/trending/rss" version="2.0"><channel><title>Daily Search Trends</title>
<item><title>Pok\xc3\xa9mon &amp; Friends</title><ht:approx_traffic>1,000,000+</ht:approx_traffic>
<pubDate>Wed, 25 Nov 2026 04:00:00 -0800</pubDate>
<ht:news_item><ht:news_item_title>x</ht:news_item_title><ht:news_item_url>https://news.example.com/a</ht:news_item_url>
<ht:news_item_source>Example</ht:news_item_source></ht:news_item></item>
<item><title>Second</title><ht:approx_traffic>200+</ht:approx_traffic><link>https://trends.example.com/2</link></item>
</channel></rss>"""


def test_parse_trends_rss() -> None:
    first, second = parse_trends_rss(RSS)
    assert (first.title, first.volume, first.rank, first.url) == ("Pok\u00e9mon & Friends", 1_000_000.0, 1, "https://news.example.com/a")
    assert (second.title, second.volume, second.rank, second.url) == ("Second", 200.0, 2, "https://trends.example.com/2")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item><title>&x;</title></item></channel></rss>', "refused unsafe XML"),
        (b"<rss><channel><item><title>unclosed", "malformed XML"),
        (b"<html><body>consent page</body></html>", "unexpected response shape"),
        (b"<rss><channel><item><link>x</link></item></channel></rss>", "has no title"),
    ],
)
def test_parse_trends_rss_refuses(body: bytes, needle: str) -> None:
    with pytest.raises(ProviderError, match=needle) as info:
        parse_trends_rss(body)
    assert not info.value.transient


def test_retry_after_seconds_and_numbers() -> None:
    assert retry_after_seconds("120") == 120.0
    when = format_datetime(utcnow() + timedelta(seconds=90), usegmt=True)
    assert 80 <= (retry_after_seconds(when) or 0) <= 91
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
    assert _number("1,000,000+") == 1_000_000 and _number(True) == 0.0 and _number(None) == 0.0 and _number(12) == 12.0
