"""A remedy as the command line to type (the desktop app shows the same remedy as a button)."""

from __future__ import annotations

from app.remedies import (
    CancelRun,
    ChooseKey,
    ChooseOnDuplicate,
    ChoosePlatform,
    CompensateRun,
    CreateKey,
    ExportKey,
    GiveInput,
    GivePaymentMethod,
    ImportKey,
    ImportPayments,
    ImportTrends,
    ImportWorkflow,
    ListBuilds,
    ListEvents,
    ListPayments,
    ListTemplates,
    ListTrends,
    ListWorkflows,
    Remedy,
    ReplaceWorkflow,
    RerunRun,
    RestoreTemplate,
    RetryPayment,
    RunDoctor,
    SetCredential,
    ShowRun,
    SyncPayments,
    SyncTrends,
    WorkflowHistory,
)

PROG = "trendforge"


def command(remedy: Remedy) -> str:
    """What to type for ``remedy`` (a whole command, or the option to add to the one just run)."""
    match remedy:
        case CreateKey(alias=alias):
            return f"{PROG} keys create {alias or 'ALIAS'}"
        case ImportKey(alias=alias):
            return f"{PROG} keys import {alias or 'NEW_ALIAS'} KEYSTORE_FILE"
        case ExportKey(alias=alias):
            return f"{PROG} keys export {alias} DEST"
        case ChooseKey():
            return f"add --key ALIAS (see: {PROG} keys list; or {PROG} keys create ALIAS)"
        case ChoosePlatform(platform=platform):
            return f"add --platform {platform}"
        case ListBuilds():
            return f"{PROG} builds list"
        case RestoreTemplate(template_id=template_id):
            return f"{PROG} templates restore {template_id}"
        case ListTemplates():
            return f"{PROG} templates list"
        case ChooseOnDuplicate():
            return "add --on-duplicate replace (overwrite it) or --on-duplicate keep-both (import under a new id)"
        case SetCredential(provider="play"):
            return f"{PROG} credentials set play < key.json"
        case SetCredential(provider=provider):
            return f"{PROG} credentials set {provider} (the secret is read from stdin)"
        case SyncPayments(provider=provider):
            return f"{PROG} payments sync" + (f" --provider {provider}" if provider else "")
        case ImportPayments(provider=provider):
            return f"{PROG} payments import --provider {provider} FILE"
        case RetryPayment(payment_id=payment_id):
            return f"{PROG} payments retry {payment_id}"
        case ListPayments():
            return f"{PROG} payments list"
        case GivePaymentMethod():
            return "add --payment-method pm_..."
        case SyncTrends():
            return f"{PROG} trends sync"
        case ImportTrends(source=source):
            return f"{PROG} trends import --source {source} FILE"
        case ListTrends():
            return f"{PROG} trends list"
        case ListEvents():
            return f"{PROG} events list"
        case ListWorkflows():
            return f"{PROG} workflow list"
        case WorkflowHistory(workflow=workflow):
            return f"{PROG} workflow history {workflow or 'NAME'}"
        case ImportWorkflow():
            return f"{PROG} workflow import FILE"
        case ReplaceWorkflow():
            return "add --replace"
        case GiveInput(name=name):
            return f"add --input {name}=VALUE"
        case ShowRun(run_id=run_id):
            return f"{PROG} workflow show {run_id}"
        case CancelRun(run_id=run_id):
            return f"{PROG} workflow cancel {run_id}"
        case CompensateRun(run_id=run_id, force=force):
            return f"{PROG} workflow compensate {run_id}" + (" --force" if force else "")
        case RerunRun(run_id=run_id, from_step=from_step, force=force):
            return f"{PROG} workflow rerun {run_id} --from {from_step or 'STEP'}" + (" --force" if force else "")
        case RunDoctor():
            return f"{PROG} doctor"
    raise ValueError(f"no command for the remedy {remedy!r}")


def with_remedy(message: str, remedy: Remedy | None) -> str:
    """The one line the CLI prints for an error: its message, then what to type about it."""
    if remedy is None:
        return message
    return f"{message}; {remedy.label}: {command(remedy)}"
