"""``releases list|rollout|halt|resume|complete|promote|listing push``: what is live on Google Play, and changes to it.

Each change prints exactly what it did to the track (the same lines the Releases view asks about).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.errors import UserError
from app.releases.model import TRACKS, ReleaseAction, Track
from ui.cli.context import CliContext

TRACK_HELP = f"{', '.join(TRACKS)}, or a closed testing track's name (releases list shows them)"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("releases", parents=[parent], help="Google Play tracks: list, staged rollouts, promote, listing")
    rsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = rsub.add_parser("list", parents=[parent], help="each track: version codes, status, fraction, notes")
    s.add_argument("app_id", help="the application id, e.g. com.example.quiz")
    s.set_defaults(func=cmd_list)
    s = rsub.add_parser("rollout", parents=[parent], help="raise a staged rollout (or resume a halted one) to F")
    s.add_argument("app_id")
    s.add_argument("--track", required=True, metavar="T", help=TRACK_HELP)
    s.add_argument("--fraction", required=True, type=float, help="share of users, between 0 and 1 (e.g. 0.5)")
    s.set_defaults(func=cmd_action, release_action=ReleaseAction.ROLLOUT)
    for name, action, text in (("halt", ReleaseAction.HALT, "halt a staged rollout"),
                               ("resume", ReleaseAction.RESUME, "resume a halted rollout at its fraction"),
                               ("complete", ReleaseAction.COMPLETE, "give the staged release to everyone")):
        s = rsub.add_parser(name, parents=[parent], help=text)
        s.add_argument("app_id")
        s.add_argument("--track", required=True, metavar="T", help=TRACK_HELP)
        s.set_defaults(func=cmd_action, release_action=action)
    s = rsub.add_parser("promote", parents=[parent], help="put a track's newest release on another track (no rebuild)")
    s.add_argument("app_id")
    s.add_argument("--from", dest="from_track", required=True, metavar="T", help=TRACK_HELP)
    s.add_argument("--to", dest="track", required=True, metavar="T", help=TRACK_HELP)
    s.add_argument("--fraction", type=float, help="a staged rollout on the target track (default: everyone)")
    s.set_defaults(func=cmd_action, release_action=ReleaseAction.PROMOTE)
    s = rsub.add_parser("listing", parents=[parent], help="the store listing (texts and images per language)")
    lsub = s.add_subparsers(dest="listing_action", required=True, metavar="ACTION")
    s = lsub.add_parser("push", parents=[parent], help="send a template's listing to Play, replacing its images")
    s.add_argument("template_id")
    s.add_argument("--listing", metavar="DIR",
                   help="listing folder: DIR/<lang>/title.txt, short_description.txt, full_description.txt, "
                        "images/icon.png, images/featureGraphic.png, images/phoneScreenshots/*.png "
                        "(default: the listing in the package's template.json, else its listing/ folder)")
    s.add_argument("--dry-run", action="store_true", help="validate the edit on Play, then delete it")
    s.set_defaults(func=cmd_listing_push)


def _rows(tracks: list[Track]) -> list[dict[str, Any]]:
    rows = []
    for t in tracks:
        for r in t.releases or ():
            rows.append({"track": t.name, "version_codes": ",".join(str(c) for c in r.version_codes),
                         "status": r.status.value,
                         "fraction": "-" if r.user_fraction is None else f"{r.user_fraction:.0%}",
                         "notes": "; ".join(f"{lang}: {text}" for lang, text in r.notes) or "-"})
        if not t.releases:
            rows.append({"track": t.name, "version_codes": "-", "status": "(no release)", "fraction": "-", "notes": "-"})
    return rows


def cmd_list(ctx: CliContext) -> int:
    tracks = ctx.services.releases.tracks(ctx.args.app_id)
    released = any(t.releases for t in tracks)
    ctx.emit([t.to_dict() for t in tracks],
             lambda: ctx.table(_rows(tracks), ["track", "version_codes", "status", "fraction", "notes"])
             if released else ctx.print(f"{ctx.args.app_id} has no releases on Google Play yet (its tracks: "
                                        f"{', '.join(t.name for t in tracks) or ', '.join(TRACKS)})"))
    return 0


def cmd_action(ctx: CliContext) -> int:
    a = ctx.args
    result = ctx.services.releases.act(a.app_id, a.release_action, a.track, fraction=getattr(a, "fraction", None),
                                       from_track=getattr(a, "from_track", "") or "")
    ctx.emit(result, lambda: ctx.print("\n".join(result["changes"])))
    return 0


def cmd_listing_push(ctx: CliContext) -> int:
    a = ctx.args
    template = ctx.services.templates.get(a.template_id)
    from services.releases.listing_files import listing_of_package, load_listing_dir

    package = Path(ctx.services.templates.package_dir(template.id))
    # --listing DIR (fastlane's folder layout), else the listing the package declares, else its listing/ folder
    listing = load_listing_dir(Path(a.listing)) if a.listing else listing_of_package(package)
    if listing is None:
        if not (package / "listing").is_dir():
            raise UserError(f"template {template.id} has no store listing in its package; give one with --listing DIR")
        listing = load_listing_dir(package / "listing")
    result = ctx.services.releases.push_listing(template.application_id, listing, dry_run=a.dry_run)
    ctx.emit(result, lambda: ctx.print(
        f"{'dry run (validated, edit deleted, nothing changed on Play): ' if result['dry_run'] else ''}"
        f"listing of {result['application_id']} for {', '.join(result['languages'])} with {result['images']} images"))
    return 0
