"""trends sync|list|show|related|archive|unarchive|import|sources|settings."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.trends.model import SourceName
from ui.cli.context import CliContext
from ui.cli.remedies import with_remedy

if TYPE_CHECKING:
    from services.trends.rows import TrendRow


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("trends", parents=[parent], help="discover trends from Reddit, Google Trends, X and TikTok")
    tsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    sources = ", ".join(s.value for s in SourceName)

    s = tsub.add_parser("sync", parents=[parent], help="fetch every enabled source now (or one with --source)")
    s.add_argument("--source", help=f"one source: {sources}")
    s.set_defaults(func=cmd_sync)

    s = tsub.add_parser("list", parents=[parent], help="trends by score, best first")
    s.add_argument("--emerging", action="store_true", help="only trends flagged as emerging")
    s.add_argument("--source", help=f"only trends seen on this source ({sources})")
    s.add_argument("--tag", help="breakout, exploding, rising, steady, peaked or new")
    s.add_argument("--search", metavar="Q", help="words in the title or an alias")
    s.add_argument("--archived", action="store_true", help="list archived trends instead")
    s.add_argument("--limit", type=int, default=50)
    s.set_defaults(func=cmd_list)

    s = tsub.add_parser("show", parents=[parent], help="one trend with its snapshots and aliases")
    s.add_argument("id")
    s.set_defaults(func=cmd_show)

    s = tsub.add_parser("related", parents=[parent], help="related trends (text and co-movement, with lead/lag)")
    s.add_argument("id")
    s.add_argument("--limit", type=int, default=10)
    s.set_defaults(func=cmd_related)

    s = tsub.add_parser("templates", parents=[parent], help="your templates that match a trend")
    s.add_argument("id")
    s.set_defaults(func=cmd_templates)

    s = tsub.add_parser("archive", parents=[parent], help="hide a trend from the lists")
    s.add_argument("id")
    s.set_defaults(func=cmd_archive)

    s = tsub.add_parser("unarchive", parents=[parent], help="bring an archived trend back")
    s.add_argument("id")
    s.set_defaults(func=cmd_unarchive)

    s = tsub.add_parser("import", parents=[parent], help="import a CSV (title[,volume,rank,taken_at,url,category])")
    s.add_argument("--source", required=True, help=f"which source the rows come from ({sources})")
    s.add_argument("file")
    s.set_defaults(func=cmd_import)

    s = tsub.add_parser("sources", parents=[parent], help="health of each source: last success, last error, backoff")
    s.set_defaults(func=cmd_sources)

    s = tsub.add_parser("settings", parents=[parent], help="show or change enabled sources, subreddits, interval")
    s.add_argument("--enable", help="comma-separated sources to sync, e.g. reddit,google_trends,x")
    s.add_argument("--subreddits", help="comma-separated subreddit names")
    s.add_argument("--interval", type=int, metavar="MINUTES", help="scheduled sync interval (5-1440)")
    s.add_argument("--geo", help="two-letter country for Google Trends and TikTok")
    s.add_argument("--woeid", type=int, help="X WOEID (1 = worldwide, 23424977 = US)")
    s.set_defaults(func=cmd_settings)


def _fmt_row(t: TrendRow) -> dict[str, object]:
    m = t.get("momentum") or {}
    return {
        "id": t["id"][:12],
        "score": t["score"],
        "tag": t["tag"] + (" *" if t["emerging"] else ""),
        "growth": f"{m.get('growth', 0.0):+.0%}" if m else "-",
        "volume": f"{t['volume']:,.0f}",
        "sources": ",".join(t["sources"]),
        "title": t["title"],
    }


def cmd_sync(ctx: CliContext) -> int:
    svc = ctx.services.trends

    async def go() -> Any:
        try:
            return await svc.sync(ctx.args.source)
        finally:
            await svc.aclose()

    from ui.cli.loop import run_on_loop  # the command's one loop, as the GUI's panel uses its own

    report = run_on_loop(go)
    data = report.to_dict()

    def human() -> None:
        for o in report.outcomes:
            if o.ok:
                extra = f" ({'; '.join(o.warnings)})" if o.warnings else ""
                ctx.print(f"{o.source:<14} ok      {o.items} items{extra}")
            else:
                ctx.print(f"{o.source:<14} FAILED  {with_remedy(o.error, o.remedy)}")
        ctx.print(f"{report.discovered} new, {report.updated} changed tag, {report.emerging} emerging")

    ctx.emit(data, human)
    if report.failed:
        names = ", ".join(f"{o.source} ({with_remedy(o.error, o.remedy)})" for o in report.failed)
        ctx.error(f"source failed: {names}")
        return 1
    return 0


def cmd_list(ctx: CliContext) -> int:
    a = ctx.args
    rows = ctx.services.trends.list_trends(
        emerging=a.emerging, source=a.source, tag=a.tag, search=a.search, archived=bool(a.archived), limit=a.limit
    )
    ctx.emit(rows, lambda: ctx.table([_fmt_row(t) for t in rows], ["id", "score", "tag", "growth", "volume", "sources", "title"]))
    return 0


def cmd_show(ctx: CliContext) -> int:
    t = ctx.services.trends.show(ctx.args.id)

    def human() -> None:
        ctx.print(f"{t['title']}  [{t['tag']}{', emerging' if t['emerging'] else ''}]  score {t['score']}")
        ctx.print(f"id {t['id']}  sources {', '.join(t['sources'])}  first seen {t['first_seen']}  last seen {t['last_seen']}")
        if t["archived"]:
            ctx.print(f"archived at {t['archived_at']}")
        m = t["momentum"]
        if m:
            ctx.print(f"growth {m['growth']:+.1%}  velocity {m['velocity']:.1f}  acceleration {m['acceleration']:.1f}  z {m['zscore']}")
        ctx.print("aliases: " + "; ".join(f"{a['alias']} ({a['source']})" for a in t["aliases"]))
        for lead in t["source_leads"]:
            if lead["leader"]:
                other = lead["b"] if lead["leader"] == lead["a"] else lead["a"]
                ctx.print(f"{lead['leader']} leads {other} by {abs(lead['lag'])} snapshot(s) (rho {lead['correlation']})")
        ctx.table(t["snapshots"], ["taken_at", "source", "volume", "rank"])

    ctx.emit(t, human)
    return 0


def cmd_related(ctx: CliContext) -> int:
    rows = ctx.services.trends.related(ctx.args.id, n=ctx.args.limit)
    ctx.emit(rows, lambda: ctx.table([{**r, "id": r["id"][:12]} for r in rows], ["id", "score", "text", "comovement", "lag", "leader", "title"]))
    return 0


def cmd_templates(ctx: CliContext) -> int:
    rows = ctx.services.trends.matching_templates(ctx.args.id)
    if not ctx.services.trends.templates_available() and not ctx.json:
        ctx.print("(the templates area is not installed; nothing to match)")
        return 0
    ctx.emit(rows, lambda: ctx.table(rows, ["template_id", "name", "score", "reasons"]))
    return 0


def cmd_archive(ctx: CliContext) -> int:
    t = ctx.services.trends.archive(ctx.args.id)
    ctx.emit(t, lambda: ctx.print(f"archived {t['id'][:12]} {t['title']}"))
    return 0


def cmd_unarchive(ctx: CliContext) -> int:
    t = ctx.services.trends.unarchive(ctx.args.id)
    ctx.emit(t, lambda: ctx.print(f"unarchived {t['id'][:12]} {t['title']}"))
    return 0


def cmd_import(ctx: CliContext) -> int:
    out = ctx.services.trends.import_csv(ctx.args.source, ctx.args.file)
    ctx.emit(out, lambda: ctx.print(f"imported {out['rows']} rows from {out['file']}: {out['discovered']} new trends, {out['emerging']} emerging"))
    return 0


def cmd_sources(ctx: CliContext) -> int:
    rows = ctx.services.trends.source_health()

    def human() -> None:
        ctx.table(
            [{**r, "enabled": "yes" if r["enabled"] else "no", "state": "ok" if r["ok"] else f"failing x{r['failures']}"} for r in rows],
            ["name", "enabled", "state", "last_success", "backoff_until", "last_items", "last_error"],
        )

    ctx.emit(rows, human)
    return 0


def cmd_settings(ctx: CliContext) -> int:
    a = ctx.args

    def split(v: str | None) -> list[str] | None:
        return None if v is None else [x.strip() for x in v.split(",") if x.strip()]

    svc = ctx.services.trends
    if any(v is not None for v in (a.enable, a.subreddits, a.interval, a.geo, a.woeid)):
        data = svc.update_settings(enabled_sources=split(a.enable), subreddits=split(a.subreddits), interval_minutes=a.interval, geo=a.geo, woeid=a.woeid)
    else:
        data = svc.get_settings()

    def human() -> None:
        ctx.print(f"enabled sources: {', '.join(data['enabled_sources']) or '(none)'}")
        ctx.print(f"subreddits:      {', '.join(data['subreddits'])}")
        ctx.print(f"interval:        {data['interval_minutes']} min")
        ctx.print(f"geo: {data['geo']}  X WOEID: {data['woeid']}")

    ctx.emit(data, human)
    return 0
