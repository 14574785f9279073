"""Stand-in servers for the trend sources on 127.0.0.1 speaking each documented wire format.

A ``StandIn`` is an http.server in a daemon thread on port 0. Tests set ``routes[path]`` to a
``Reply`` (or a callable taking the query dict and returning one) and read ``requests``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class StandIn:
    def __init__(self) -> None:
        self.routes: dict[str, Reply | Callable[[dict[str, list[str]]], Reply]] = {}
        self.requests: list[Seen] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                standin.requests.append(Seen(parts.path, query, {k.lower(): v for k, v in self.headers.items()}))
                route = standin.routes.get(parts.path)
                if route is None:
                    reply = Reply(404, b'{"message": "Not Found", "error": 404}')
                else:
                    reply = route(query) if callable(route) else route
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- payloads in each documented format -------------------------------------------------
def reddit_listing(sub: str, posts: list[tuple[str, int]], *, after: str | None = None) -> bytes:
    children = []
    for i, (title, score) in enumerate(posts):
        pid = f"{sub[:3].lower()}{i:04d}"
        children.append({
            "kind": "t3",
            "data": {
                "id": pid, "name": f"t3_{pid}", "title": title, "subreddit": sub, "author": f"user{i}",
                "ups": score, "score": score, "upvote_ratio": 0.93, "num_comments": score // 10,
                "created_utc": 1764000000.0 + i, "permalink": f"/r/{sub}/comments/{pid}/x/",
                "url": f"https://example.com/{pid}", "stickied": False,
            },
        })
    return json.dumps({"kind": "Listing", "data": {"after": after, "dist": len(children), "children": children, "before": None}}).encode()


REDDIT_RATE = {"x-ratelimit-used": "3", "x-ratelimit-remaining": "97", "x-ratelimit-reset": "420"}


def trends_rss(items: list[tuple[str, str]], geo: str = "US") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss xmlns:atom="http://www.w3.org/2005/Atom" xmlns:ht="https://trends.google.com/trending/rss" version="2.0">',
        f"<channel><title>Daily Search Trends</title><description>Recent searches</description><link>https://trends.google.com/trending/rss?geo={geo}</link>",
    ]
    for i, (title, traffic) in enumerate(items):
        parts.append(
            f"<item><title>{escape(title)}</title><ht:approx_traffic>{traffic}</ht:approx_traffic>"
            f"<link>https://trends.google.com/trending/rss?geo={geo}</link>"
            f"<pubDate>Wed, 25 Nov 2026 0{i % 10}:00:00 -0800</pubDate>"
            f"<ht:picture>https://example.com/p{i}.jpg</ht:picture><ht:picture_source>News</ht:picture_source>"
            f"<ht:news_item><ht:news_item_title>{escape(title)} news</ht:news_item_title>"
            f"<ht:news_item_url>https://news.example.com/{i}</ht:news_item_url>"
            f"<ht:news_item_picture>https://example.com/n{i}.jpg</ht:news_item_picture>"
            f"<ht:news_item_source>Example News</ht:news_item_source></ht:news_item></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode()


XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><item><title>&lol9;</title></item></channel></rss>"""


def x_trends(rows: list[tuple[str, int]]) -> bytes:
    return json.dumps({"data": [{"trend_name": n, "tweet_count": c} for n, c in rows]}).encode()


def tiktok_hashtags(rows: list[tuple[str, int]]) -> bytes:
    return json.dumps({
        "code": 0, "msg": "OK", "request_id": "x",
        "data": {
            "pagination": {"page": 1, "limit": 20, "total": len(rows), "has_more": False},
            "list": [
                {"hashtag_id": str(i), "hashtag_name": n, "country_info": {"id": "US"}, "is_promoted": False,
                 "publish_cnt": v // 100, "video_views": v, "rank": i + 1,
                 "trend": [{"time": 1763600000 + 86400 * d, "value": round(0.1 * d, 2)} for d in range(7)]}
                for i, (n, v) in enumerate(rows)
            ],
        },
    }).encode()


def rss_reply(body: bytes) -> Reply:
    return Reply(200, body, content_type="application/rss+xml; charset=utf-8")
