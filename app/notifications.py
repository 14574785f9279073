"""Which events become a desktop notification, in words, and which item a click opens.

Decided once here, on the event's class; the GUI delivers them (``ui.notifications``) and a
person can mute each kind in Settings (``notifications.muted``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.builds.events import BuildFailed, BuildSigned
from app.events import Event
from app.home.model import Area, ItemRef
from app.payments.events import PaymentDeclined, PaymentFailed, ProviderUnhealthy
from app.trends.events import SourceFailed
from app.workflows.events import ApprovalRequested, WorkflowFailed, WorkflowInterrupted

MUTED_SETTING = "notifications.muted"
RELEASE_PREFIX = "release."  # the releases area's events (Google Play), whatever their class


class NotificationKind(enum.StrEnum):
    BUILD_FINISHED = "build_finished"
    BUILD_FAILED = "build_failed"
    APPROVAL_NEEDED = "approval_needed"
    RUN_FAILED = "run_failed"
    RUN_INTERRUPTED = "run_interrupted"
    SYNC_FAILED = "sync_failed"
    PAYMENT_FAILED = "payment_failed"
    RELEASE_CHANGED = "release_changed"


KIND_LABELS: dict[NotificationKind, str] = {
    NotificationKind.BUILD_FINISHED: "A build finished",
    NotificationKind.BUILD_FAILED: "A build failed",
    NotificationKind.APPROVAL_NEEDED: "A workflow run needs approval",
    NotificationKind.RUN_FAILED: "A workflow run failed",
    NotificationKind.RUN_INTERRUPTED: "A workflow run was interrupted",
    NotificationKind.SYNC_FAILED: "A sync failed",
    NotificationKind.PAYMENT_FAILED: "A payment failed",
    NotificationKind.RELEASE_CHANGED: "A release changed",
}


@dataclass(frozen=True)
class Notification:
    kind: NotificationKind
    title: str
    body: str
    ref: ItemRef | None = None


def notification_for(event: Event) -> Notification | None:
    """The notification ``event`` deserves, or None."""
    k = NotificationKind
    match event:
        case BuildSigned():
            return Notification(k.BUILD_FINISHED, "Build finished", f"{event.template_id} is signed and ready",
                                ItemRef(Area.BUILDS, event.build_id))
        case BuildFailed():
            where = f" at {event.step}" if event.step else ""
            return Notification(k.BUILD_FAILED, "Build failed", f"{event.template_id}{where}: {event.error}",
                                ItemRef(Area.BUILDS, event.build_id))
        case ApprovalRequested():
            return Notification(k.APPROVAL_NEEDED, "Approval needed", event.message or f"{event.workflow}: {event.step}",
                                ItemRef(Area.WORKFLOWS, event.run_id))
        case WorkflowFailed():
            return Notification(k.RUN_FAILED, "Workflow run failed",
                                f"{event.workflow} at {event.step}: {event.error}" if event.step else event.workflow,
                                ItemRef(Area.WORKFLOWS, event.run_id))
        case WorkflowInterrupted():
            return run_interrupted(event.run_id, event.workflow, event.step or "")
        case SourceFailed():
            return Notification(k.SYNC_FAILED, f"Trend source {event.source_name} failed", event.error,
                                ItemRef(Area.TRENDS, ""))
        case ProviderUnhealthy():
            return Notification(k.SYNC_FAILED, f"{event.provider} sync failed", event.reason,
                                ItemRef(Area.PAYMENTS, ""))
        case PaymentDeclined() | PaymentFailed():
            return Notification(k.PAYMENT_FAILED, f"Payment failed ({event.provider})", event.reason,
                                ItemRef(Area.PAYMENTS, event.transaction_id))
    if event.type.startswith(RELEASE_PREFIX):
        payload = event.payload()
        what = " ".join(str(payload[f]) for f in ("app_id", "track", "status") if payload.get(f))
        return Notification(k.RELEASE_CHANGED, "Release changed", what or event.type, ItemRef(Area.RELEASES, ""))
    return None


def run_interrupted(run_id: str, workflow: str, step: str) -> Notification:
    at = f" at {step}" if step else ""
    return Notification(NotificationKind.RUN_INTERRUPTED, "Workflow run interrupted",
                        f"{workflow}{at}; resume it from Home or Workflows", ItemRef(Area.WORKFLOWS, run_id))


def muted_kinds(value: object) -> set[NotificationKind]:
    """The kinds a stored ``notifications.muted`` setting names (unknown names are ignored)."""
    if not isinstance(value, list | tuple):
        return set()
    known = {k.value for k in NotificationKind}
    return {NotificationKind(v) for v in value if v in known}
