"""templates import|list|show|export|archive|unarchive|restore|delete|review|reviews|check|categories|trending."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from app.errors import UserError
from app.store.check import CheckReport
from app.templates.model import DuplicatePolicy, SortKey, TemplateQuery, TemplateStatus
from ui.cli.context import CliContext
from ui.cli.remedies import with_remedy


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("templates", parents=[parent], help="app templates: import, search, review, archive")
    tsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    s = tsub.add_parser("import", parents=[parent], help="import template packages (folders, .zip files)")
    s.add_argument("paths", nargs="+", metavar="PATH")
    s.add_argument(
        "--on-duplicate",
        choices=[p.value for p in DuplicatePolicy],
        default=DuplicatePolicy.ERROR.value,
        help="when the id exists: error (default), replace it, or keep-both (new id with a suffix)",
    )
    s.set_defaults(func=cmd_import)

    s = tsub.add_parser("list", parents=[parent], help="list or search templates")
    s.add_argument("--search", metavar="Q", help="full-text search over title, description, tags, category")
    s.add_argument("--category", metavar="C")
    s.add_argument("--tag", metavar="T")
    s.add_argument("--archived", action="store_true", help="include archived templates")
    s.add_argument("--deleted", action="store_true", help="include deleted templates")
    s.add_argument("--sort", choices=[k.value for k in SortKey], default=SortKey.RELEVANCE.value)
    s.add_argument("--limit", type=int, default=100)
    s.add_argument("--offset", type=int, default=0)
    s.set_defaults(func=cmd_list)

    s = tsub.add_parser("show", parents=[parent], help="one template: manifest, stats, reviews")
    s.add_argument("id")
    s.set_defaults(func=cmd_show)

    s = tsub.add_parser("edit", parents=[parent], help="change manifest fields (title, category, tags, ...)")
    s.add_argument("id")
    s.add_argument("--set", dest="changes", action="append", required=True, metavar="FIELD=VALUE",
                   help="a field and its new value (tags: comma-separated); repeat for several")
    s.add_argument("--expect-version", type=int, metavar="N",
                   help="refuse the edit if the template is no longer at row version N (see `templates show`)")
    s.set_defaults(func=cmd_edit)

    s = tsub.add_parser("export", parents=[parent], help="write a template back to a .zip package")
    s.add_argument("id")
    s.add_argument("dest", help="a .zip path, or a folder for <id>-<version>.zip")
    s.set_defaults(func=cmd_export)

    for name, helptext in (
        ("archive", "archive a template (hidden from lists, kept)"),
        ("unarchive", "bring an archived template back"),
        ("restore", "restore a deleted or archived template"),
    ):
        s = tsub.add_parser(name, parents=[parent], help=helptext)
        s.add_argument("id")
        s.set_defaults(func=cmd_status, status_action=name)

    s = tsub.add_parser("delete", parents=[parent], help="delete a template (restorable unless --purge)")
    s.add_argument("id")
    s.add_argument("--purge", action="store_true", help="remove a deleted template and its files for good")
    s.set_defaults(func=cmd_delete)

    s = tsub.add_parser("review", parents=[parent], help="rate a template 1-5 (one review per reviewer)")
    s.add_argument("id")
    s.add_argument("--rating", type=int, required=True, choices=range(1, 6), metavar="1-5")
    s.add_argument("--text", default="")
    s.add_argument("--reviewer", default="me")
    s.set_defaults(func=cmd_review)

    s = tsub.add_parser("reviews", parents=[parent], help="the reviews of a template")
    s.add_argument("id")
    s.set_defaults(func=cmd_reviews)

    s = tsub.add_parser("check", parents=[parent],
                        help="Google Play's upload rules and makers' pitfalls, before a build spends a versionCode")
    s.add_argument("id")
    s.add_argument("--platform", choices=["apk", "aab", "web"], default="aab")
    s.add_argument("--deploy", help="the deploy it is for: folder:DIR | adb | play:TRACK (default: play:production)")
    s.add_argument("--version", help="the version you mean to build (checks it is above the last one built)")
    s.set_defaults(func=cmd_check)

    s = tsub.add_parser("screenshots", parents=[parent],
                        help="store screenshots (1080x1920) and the feature graphic, rendered from the app's web UI")
    s.add_argument("id")
    s.add_argument("--locale", default="en-US")
    s.set_defaults(func=cmd_screenshots)

    s = tsub.add_parser("categories", parents=[parent], help="categories with template counts")
    s.set_defaults(func=cmd_categories)

    s = tsub.add_parser("trending", parents=[parent], help="templates by trending score")
    s.add_argument("--limit", type=int, default=10)
    s.set_defaults(func=cmd_trending)


def print_problems(report: CheckReport, out: TextIO) -> None:
    for problem in report.problems:
        out.write(problem.line() + "\n")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def cmd_check(ctx: CliContext) -> int:
    a = ctx.args
    deploy = a.deploy if a.deploy else (None if a.platform == "web" else "play:production")
    report = ctx.services.builds.check_release(a.id, a.platform, deploy=deploy, version=a.version)

    def human() -> None:
        print_problems(report, ctx.out)
        verdict = "ready" if report.ready else "not ready"
        ctx.print(f"{report.template_id} ({report.platform}, {deploy or 'no deploy'}): {verdict}: "
                  f"{_count(len(report.blockers), 'blocker')}, {_count(len(report.warnings), 'warning')}")

    ctx.emit(report.to_dict(), human)
    if not report.ready:
        sys.stderr.write(f"trendforge: {report.template_id} is not ready for release "
                         f"({_count(len(report.blockers), 'blocker')})\n")
        return 1
    return 0


def cmd_screenshots(ctx: CliContext) -> int:
    import json
    import tempfile
    from pathlib import Path

    from ui.render.store_media import generate

    svc = ctx.services.templates
    folder = svc.package_dir(ctx.args.id)
    manifest = json.loads((folder / "template.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="tf-media-") as tmp:
        media = generate(folder, manifest, Path(tmp))
        info = svc.set_listing_media(ctx.args.id, ctx.args.locale, media.screenshots, media.feature_graphic)
    listing = svc.package_dir(info.id) / "listing"
    files = sorted(p.relative_to(folder).as_posix() for p in listing.rglob("*.png"))
    ctx.emit({"template_id": info.id, "files": files},
             lambda: ctx.print(f"{info.id}: " + ", ".join(files)))
    return 0


def cmd_import(ctx: CliContext) -> int:
    results = ctx.services.templates.import_paths(ctx.args.paths, on_duplicate=ctx.args.on_duplicate)
    rows = [r.to_dict() for r in results]

    def human() -> None:
        for r in results:
            if r.ok:
                extra = " (replaced)" if r.replaced else (f" (renamed from {r.renamed_from})" if r.renamed_from else "")
                ctx.print(f"imported {r.template_id}{extra} from {r.source}")
            elif r.skipped:
                ctx.print(f"skipped {r.source}: {r.skipped}")
            else:
                ctx.print(f"FAILED {r.source}: {with_remedy(r.error or '', r.remedy)}")

    ctx.emit(rows, human)
    packages = [r for r in results if not r.skipped]
    failed = [r for r in packages if not r.ok]
    if failed:
        ctx.error(f"{len(failed)} of {len(packages)} packages not imported: "
                  f"{with_remedy(failed[0].error or '', failed[0].remedy)}")
        return 1
    return 0


def cmd_list(ctx: CliContext) -> int:
    a = ctx.args
    statuses = [TemplateStatus.ACTIVE]
    if a.archived:
        statuses.append(TemplateStatus.ARCHIVED)
    if a.deleted:
        statuses.append(TemplateStatus.DELETED)
    svc = ctx.services.templates
    query = TemplateQuery(search=a.search, category=a.category, tag=a.tag, statuses=tuple(statuses),
                          sort=SortKey(a.sort), limit=a.limit, offset=a.offset)
    items = svc.find(query)
    stats = svc.stats([i.id for i in items])
    rows = [{**i.to_dict(), "stats": stats[i.id].to_dict()} for i in items]

    def human() -> None:
        flat = [
            {
                "id": r["id"],
                "title": r["title"],
                "category": r["category"],
                "tags": ",".join(r["tags"]),
                "status": r["status"],
                "version": r["version"],
                "rating": f"{r['rating_avg']:.1f} ({r['rating_count']})" if r["rating_count"] else "-",
                "builds": r["stats"]["builds"],
            }
            for r in rows
        ]
        ctx.table(flat, ["id", "title", "category", "tags", "status", "version", "rating", "builds"])

    ctx.emit(rows, human)
    return 0


def cmd_show(ctx: CliContext) -> int:
    svc = ctx.services.templates
    info = svc.get(ctx.args.id, include_deleted=True)
    data = info.to_dict()
    data["stats"] = svc.stats([info.id])[info.id].to_dict()
    data["reviews"] = [r.to_dict() for r in svc.reviews(info.id)]
    folder = svc.store_dir / info.id
    data["package_dir"] = str(folder) if folder.is_dir() else None

    def human() -> None:
        for key in ("id", "title", "status", "category", "tags", "version", "app_name", "application_id",
                    "min_sdk", "target_sdk", "price_amount", "price_currency", "preview", "package_dir",
                    "created_at", "updated_at", "row_version", "changed_by"):
            value = data.get(key)
            ctx.print(f"{key:>15}: {', '.join(value) if isinstance(value, list) else value}")
        ctx.print(f"{'description':>15}: {data['description']}")
        for key, value in data["stats"].items():
            ctx.print(f"{key:>15}: {value}")
        for r in data["reviews"]:
            ctx.print(f"  review {r['rating']}/5 by {r['reviewer']}: {r['text']}")

    ctx.emit(data, human)
    return 0


def cmd_export(ctx: CliContext) -> int:
    path = ctx.services.templates.export(ctx.args.id, ctx.args.dest)
    ctx.emit({"id": ctx.args.id, "path": str(path)}, lambda: ctx.print(f"exported {ctx.args.id} to {path}"))
    return 0


_INT_FIELDS = frozenset({"min_sdk", "target_sdk"})


def _edit_value(field: str, value: str) -> object:
    if field == "tags":
        return [t.strip() for t in value.split(",") if t.strip()]
    if field in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            raise UserError(f"{field} must be a whole number, not {value!r}") from None
    return value


def cmd_edit(ctx: CliContext) -> int:
    changes: dict[str, object] = {}
    for item in ctx.args.changes:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise UserError(f"--set takes FIELD=VALUE, not {item!r}")
        changes[field.strip()] = _edit_value(field.strip(), value)
    info = ctx.services.templates.update(ctx.args.id, changes, expected_version=ctx.args.expect_version)
    ctx.emit(info.to_dict(), lambda: ctx.print(f"{info.id} saved (row version {info.row_version})"))
    return 0


def cmd_status(ctx: CliContext) -> int:
    svc = ctx.services.templates
    action = ctx.args.status_action
    info = {"archive": svc.archive, "unarchive": svc.unarchive, "restore": svc.restore}[action](ctx.args.id)
    ctx.emit(info.to_dict(), lambda: ctx.print(f"{info.id} is now {info.status.value}"))
    return 0


def cmd_delete(ctx: CliContext) -> int:
    svc = ctx.services.templates
    if ctx.args.purge:
        svc.purge(ctx.args.id)
        ctx.emit({"id": ctx.args.id, "purged": True}, lambda: ctx.print(f"{ctx.args.id} purged"))
        return 0
    info = svc.delete(ctx.args.id)
    ctx.emit(info.to_dict(), lambda: ctx.print(
        f"{info.id} deleted (restore with 'trendforge templates restore {info.id}')"))
    return 0


def cmd_review(ctx: CliContext) -> int:
    a = ctx.args
    svc = ctx.services.templates
    review = svc.add_review(a.id, a.rating, a.text, reviewer=a.reviewer)
    info = svc.get(a.id, include_deleted=True)
    data = {**review.to_dict(), "rating_avg": info.rating_avg, "rating_count": info.rating_count}
    ctx.emit(data, lambda: ctx.print(
        f"{review.reviewer} rated {a.id} {review.rating}/5; average {info.rating_avg:.2f} over {info.rating_count}"))
    return 0


def cmd_reviews(ctx: CliContext) -> int:
    rows = [r.to_dict() for r in ctx.services.templates.reviews(ctx.args.id)]
    ctx.emit(rows, lambda: ctx.table(rows, ["reviewer", "rating", "text", "updated_at"]))
    return 0


def cmd_categories(ctx: CliContext) -> int:
    rows = [{"category": c, "count": n} for c, n in ctx.services.templates.categories()]
    ctx.emit(rows, lambda: ctx.table(rows, ["category", "count"]))
    return 0


def cmd_trending(ctx: CliContext) -> int:
    rows = [{**s.to_dict(), "score": round(score, 4)} for s, score in ctx.services.templates.trending(ctx.args.limit)]
    ctx.emit(rows, lambda: ctx.table(rows, ["id", "title", "category", "score"]))
    return 0
