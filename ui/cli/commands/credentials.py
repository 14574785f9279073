"""credentials set|list|delete: secrets go to the OS keyring, read from stdin only."""

from __future__ import annotations

import argparse

from app.errors import UserError
from services.secrets import PROVIDER_NAMES
from ui.cli.context import CliContext


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("credentials", parents=[parent], help="provider credentials in the OS keyring")
    csub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = csub.add_parser("set", parents=[parent], help="store a credential (the secret is read from stdin; "
                        "for play: the service account's JSON key, e.g. < key.json)")
    s.add_argument("name", choices=PROVIDER_NAMES)
    s.set_defaults(func=cmd_set)
    s = csub.add_parser("list", parents=[parent], help="names of stored credentials (never values)")
    s.set_defaults(func=cmd_list)
    s = csub.add_parser("delete", parents=[parent], help="remove a credential")
    s.add_argument("name", choices=PROVIDER_NAMES)
    s.set_defaults(func=cmd_delete)


def cmd_set(ctx: CliContext) -> int:
    if ctx.stdin.isatty():
        import getpass

        secret = getpass.getpass(f"{ctx.args.name} secret: ")
    else:
        secret = ctx.stdin.read()
    if not secret.strip():
        raise UserError(f"no secret on stdin for {ctx.args.name}; pipe it in, e.g. `printf %s \"$KEY\" | trendforge credentials set {ctx.args.name}`")
    if ctx.args.name == "play":  # a service-account JSON key, checked before it is kept
        key = ctx.services.releases.store_key(secret)
        ctx.emit({"name": "play", "stored": True, "account": key.client_email},
                 lambda: ctx.print(f"stored the Google Play key of {key.client_email} in the keyring"))
        return 0
    ctx.services.settings.set_credential(ctx.args.name, secret)
    ctx.emit({"name": ctx.args.name, "stored": True}, lambda: ctx.print(f"stored {ctx.args.name} in the keyring"))
    return 0


def cmd_list(ctx: CliContext) -> int:
    names = ctx.services.settings.list_credentials()
    ctx.emit([{"name": n} for n in names], lambda: ctx.print("\n".join(names) if names else "(no credentials stored)"))
    return 0


def cmd_delete(ctx: CliContext) -> int:
    existed = ctx.services.settings.delete_credential(ctx.args.name)
    if not existed:
        raise UserError(f"no credential named {ctx.args.name} is stored")
    ctx.emit({"name": ctx.args.name, "deleted": True}, lambda: ctx.print(f"deleted {ctx.args.name}"))
    return 0
