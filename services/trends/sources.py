"""Trend sources: one small adapter per provider behind one interface.

Every adapter turns one provider response into :class:`SourceItem`s or raises a
:class:`ProviderError` that says what went wrong (transient for connect errors, 429 and 5xx;
permanent for bad credentials, malformed or unexpected payloads). An adapter never returns an
empty list silently: "no items" is an error the source health shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol

from app.errors import ProviderError
from app.remedies import SetCredential
from app.timeutil import utcnow
from app.trends.model import SourceItem, SourceName
from app.untrusted import load_json

if TYPE_CHECKING:
    import httpx

USER_AGENT = "desktop:trendforge:0.1 (trend discovery for indie app makers)"
MAX_BODY = 8 * 1024 * 1024
HT_NS = "https://trends.google.com/trending/rss"


@dataclass
class SourceConfig:
    """What a fetch needs: base URL, settings and (for X/TikTok) a credential."""

    base_url: str
    subreddits: tuple[str, ...] = ()
    listing: str = "hot"
    limit: int = 100
    geo: str = "US"
    woeid: int = 1
    country: str = "US"
    token: str | None = None


@dataclass
class FetchResult:
    items: list[SourceItem]
    notes: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class TrendSource(Protocol):
    name: SourceName

    async def fetch(self, client: httpx.AsyncClient, config: SourceConfig) -> FetchResult: ...


# -- HTTP helpers ----------------------------------------------------------------------
def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utcnow()).total_seconds())


async def get(
    client: httpx.AsyncClient,
    source: SourceName,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """GET with errors mapped to ProviderError (transient: transport, 429, 5xx)."""
    import httpx  # with the first request, not when the trends area is built
    hdrs = {"User-Agent": USER_AGENT, **(headers or {})}
    limit = MAX_BODY
    try:
        async with client.stream("GET", url, params=params, headers=hdrs) as resp:
            _raise_for_status(source, resp)
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > limit:  # stop reading: a broken or hostile server cannot fill memory
                    raise ProviderError(f"{source}: response larger than {limit} bytes; refused", provider=source)
                chunks.append(chunk)
            return httpx.Response(resp.status_code, headers=resp.headers, content=b"".join(chunks), request=resp.request)
    except httpx.TimeoutException as exc:
        raise ProviderError(f"{source}: timed out ({url})", provider=source, transient=True) from exc
    except httpx.TransportError as exc:
        host = httpx.URL(url).host or url
        raise ProviderError(
            f"{source}: cannot connect to {host} ({type(exc).__name__}: {exc}); check your network, or the {source} "
            f"base URL in Settings (or TRENDFORGE_{str(source).upper()}_BASE_URL)",
            provider=source,
            transient=True,
        ) from exc


def _raise_for_status(source: SourceName, resp: httpx.Response) -> None:
    status = resp.status_code
    if status == 429:
        wait = retry_after_seconds(resp.headers.get("retry-after"))
        if wait is None:
            wait = retry_after_seconds(resp.headers.get("x-ratelimit-reset"))
        hint = f", retry after {wait:.0f} s" if wait is not None else ""
        raise ProviderError(f"{source}: rate limited (HTTP 429{hint})", provider=source, transient=True, retry_after=wait, status_code=429)
    if status >= 500:
        raise ProviderError(f"{source}: server error HTTP {status}", provider=source, transient=True, status_code=status)
    if status in (401, 403):
        raise ProviderError(
            f"{source}: access refused (HTTP {status}); check the credential or headers for {source}",
            provider=source,
            status_code=status,
        )
    if status >= 400:
        raise ProviderError(f"{source}: HTTP {status} for {resp.url}", provider=source, status_code=status)


def parse_json(source: SourceName, resp: httpx.Response) -> Any:
    try:
        return load_json(resp.content, f"{source}: the answer from {resp.url}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProviderError(f"{source}: malformed JSON from {resp.url} ({exc})", provider=source) from exc


def shape_error(source: SourceName, what: str) -> ProviderError:
    return ProviderError(f"{source}: unexpected response shape: {what} (the provider may have changed its format)", provider=source)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        digits = re.sub(r"[^0-9.]", "", value)
        try:
            return float(digits) if digits else 0.0
        except ValueError:
            return 0.0
    return 0.0


# -- Reddit --------------------------------------------------------------------------------
class RedditSource:
    """``/r/{sub}/{hot|rising|top}.json`` of each configured subreddit; score is the volume."""

    name = SourceName.REDDIT

    async def fetch(self, client: httpx.AsyncClient, config: SourceConfig) -> FetchResult:
        if not config.subreddits:
            raise ProviderError("reddit: no subreddits configured; add some in the trends settings", provider=self.name)
        items: list[SourceItem] = []
        warnings: list[str] = []
        notes: dict[str, Any] = {}
        for sub in config.subreddits:
            url = f"{config.base_url}/r/{sub}/{config.listing}.json"
            params: dict[str, Any] = {"limit": config.limit, "raw_json": 1}
            if config.listing == "top":
                params["t"] = "day"
            try:
                resp = await get(client, self.name, url, params=params)
            except ProviderError as exc:
                if exc.transient:  # rate limits and outages stop the whole source
                    raise
                warnings.append(f"r/{sub}: {exc}")
                continue
            rate = {k: resp.headers[h] for k, h in (("used", "x-ratelimit-used"), ("remaining", "x-ratelimit-remaining"), ("reset", "x-ratelimit-reset")) if h in resp.headers}
            if rate:
                notes["ratelimit"] = rate
            body = parse_json(self.name, resp)
            if not isinstance(body, dict) or body.get("kind") != "Listing" or not isinstance(body.get("data"), dict):
                raise shape_error(self.name, f"r/{sub} is not a Listing")
            children = body["data"].get("children")
            if not isinstance(children, list):
                raise shape_error(self.name, f"r/{sub} Listing has no children list")
            if not children:
                warnings.append(f"r/{sub}: empty listing")
            for rank, child in enumerate(children, start=1):
                data = child.get("data") if isinstance(child, dict) else None
                if not isinstance(data, dict) or not isinstance(data.get("title"), str):
                    raise shape_error(self.name, f"r/{sub} child {rank} has no data.title")
                if data.get("stickied"):
                    continue
                permalink = str(data.get("permalink") or "")
                items.append(
                    SourceItem(
                        source=self.name,
                        title=data["title"],
                        volume=_number(data.get("score", data.get("ups", 0))),
                        rank=rank,
                        url=f"https://www.reddit.com{permalink}" if permalink.startswith("/") else str(data.get("url") or ""),
                        category=str(data.get("subreddit") or sub),
                        extra={"comments": _number(data.get("num_comments"))},
                    )
                )
            remaining = _number(rate.get("remaining", "")) if "remaining" in rate else None
            if remaining is not None and remaining < 1 and sub != config.subreddits[-1]:
                warnings.append(f"rate limit exhausted after r/{sub}; the rest waits for the next sync")
                break
        if not items:
            detail = "; ".join(warnings) or "no posts"
            raise ProviderError(f"reddit: no items from {len(config.subreddits)} subreddit(s): {detail}", provider=self.name)
        return FetchResult(items, notes, warnings)


# -- Google Trends -------------------------------------------------------------------------
def parse_trends_rss(content: bytes) -> list[SourceItem]:
    """Items of the daily trending RSS; XML with DTDs/entities (bombs) is refused."""
    from xml.etree.ElementTree import Element, ParseError  # here, with the parser: a window that fetches nothing

    from defusedxml import DefusedXmlException  # never loads an XML parser (tests/integration/foundation/
    from defusedxml.ElementTree import fromstring as safe_fromstring  # test_xml_imports.py)

    src = SourceName.GOOGLE_TRENDS
    try:
        root = safe_fromstring(content, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ProviderError(f"google_trends: refused unsafe XML ({type(exc).__name__}: entity or DTD declarations)", provider=src) from exc
    except (ParseError, ValueError) as exc:
        raise ProviderError(f"google_trends: malformed XML ({exc})", provider=src) from exc
    channel = root.find("channel") if isinstance(root, Element) else None
    if root.tag != "rss" or channel is None:
        raise shape_error(src, f"root <{root.tag}> is not an RSS channel")
    items: list[SourceItem] = []
    for rank, item in enumerate(channel.findall("item"), start=1):
        title = (item.findtext("title") or "").strip()
        if not title:
            raise shape_error(src, f"item {rank} has no title")
        traffic = item.findtext(f"{{{HT_NS}}}approx_traffic") or ""
        news_url = item.findtext(f"{{{HT_NS}}}news_item/{{{HT_NS}}}news_item_url") or ""
        items.append(
            SourceItem(
                source=src,
                title=title,
                volume=_number(traffic),
                rank=rank,
                url=news_url or (item.findtext("link") or ""),
                extra={"approx_traffic": traffic, "pub_date": item.findtext("pubDate") or ""},
            )
        )
    return items


class GoogleTrendsSource:
    name = SourceName.GOOGLE_TRENDS

    PATHS = ("/trending/rss", "/trends/trendingsearches/daily/rss")  # current, then the older path

    async def fetch(self, client: httpx.AsyncClient, config: SourceConfig) -> FetchResult:
        for i, path in enumerate(self.PATHS):
            try:
                resp = await get(client, self.name, f"{config.base_url}{path}", params={"geo": config.geo})
                break
            except ProviderError as exc:
                if exc.status_code != 404 or i == len(self.PATHS) - 1:
                    raise
        items = parse_trends_rss(resp.content)
        if not items:
            raise ProviderError(f"google_trends: the RSS feed for geo={config.geo} has no items", provider=self.name)
        return FetchResult(items, {"geo": config.geo})


# -- X ----------------------------------------------------------------------------------------
class XSource:
    name = SourceName.X

    async def fetch(self, client: httpx.AsyncClient, config: SourceConfig) -> FetchResult:
        if not config.token:
            raise ProviderError("x: no bearer token stored", provider=self.name, remedy=SetCredential("x"))
        resp = await get(
            client,
            self.name,
            f"{config.base_url}/trends/by/woeid/{config.woeid}",
            headers={"Authorization": f"Bearer {config.token}"},
        )
        body = parse_json(self.name, resp)
        if isinstance(body, dict) and body.get("errors") and not body.get("data"):
            first = body["errors"][0] if isinstance(body["errors"], list) and body["errors"] else body["errors"]
            detail = first.get("detail") or first.get("message") if isinstance(first, dict) else str(first)
            raise ProviderError(f"x: API error: {detail}", provider=self.name)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise shape_error(self.name, "no data list")
        items = []
        for rank, row in enumerate(data, start=1):
            if not isinstance(row, dict) or not isinstance(row.get("trend_name"), str):
                raise shape_error(self.name, f"data[{rank - 1}] has no trend_name")
            items.append(SourceItem(self.name, row["trend_name"], _number(row.get("tweet_count", 0)), rank))
        if not items:
            raise ProviderError(f"x: no trends for WOEID {config.woeid}", provider=self.name)
        return FetchResult(items, {"woeid": config.woeid})


# -- TikTok Creative Center ------------------------------------------------------------------------
class TikTokSource:
    """Unofficial and brittle: any change of shape fails loudly. CSV import is the dependable path.

    The credential ``tiktok`` may hold extra request headers captured from the web page, one
    ``Name: value`` per line.
    """

    name = SourceName.TIKTOK

    async def fetch(self, client: httpx.AsyncClient, config: SourceConfig) -> FetchResult:
        headers: dict[str, str] = {}
        for line in (config.token or "").splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip()] = v.strip()
        resp = await get(
            client,
            self.name,
            f"{config.base_url}/creative_radar_api/v1/popular_trend/hashtag/list",
            params={"page": 1, "limit": 20, "period": 7, "country_code": config.country, "sort_by": "popular"},
            headers=headers,
        )
        body = parse_json(self.name, resp)
        if not isinstance(body, dict):
            raise shape_error(self.name, "body is not an object")
        if body.get("code") not in (None, 0):
            raise ProviderError(f"tiktok: API code {body.get('code')}: {body.get('msg', '')}", provider=self.name)
        data = body.get("data")
        rows = data.get("list") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise shape_error(self.name, "missing data.list")
        items = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict) or not isinstance(row.get("hashtag_name"), str):
                raise shape_error(self.name, f"data.list[{i}] has no hashtag_name")
            volume = _number(row.get("video_views")) or _number(row.get("publish_cnt"))
            rank = int(_number(row.get("rank"))) or i + 1
            items.append(SourceItem(self.name, "#" + row["hashtag_name"].lstrip("#"), volume, rank, extra={"publish_cnt": _number(row.get("publish_cnt"))}))
        if not items:
            raise ProviderError(f"tiktok: empty hashtag list for {config.country}", provider=self.name)
        return FetchResult(items, {"country": config.country})


SOURCES: dict[SourceName, TrendSource] = {
    SourceName.REDDIT: RedditSource(),
    SourceName.GOOGLE_TRENDS: GoogleTrendsSource(),
    SourceName.X: XSource(),
    SourceName.TIKTOK: TikTokSource(),
}
