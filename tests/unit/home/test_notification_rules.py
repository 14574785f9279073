"""Which events notify, and the stored mute list read back."""

from __future__ import annotations

from app.builds.events import BuildProgressed, BuildSigned
from app.notifications import NotificationKind, muted_kinds, notification_for


def test_progress_is_not_news_but_a_signed_build_is() -> None:
    assert notification_for(BuildProgressed(build_id="b", step="sign", percent=50)) is None
    note = notification_for(BuildSigned(build_id="b", template_id="quotes-daily"))
    assert note is not None and note.kind is NotificationKind.BUILD_FINISHED and note.ref is not None


def test_muted_kinds_ignores_unknown_names_and_bad_values() -> None:
    assert muted_kinds(["build_failed", "no_such_kind"]) == {NotificationKind.BUILD_FAILED}
    assert muted_kinds("build_failed") == set()
