"""Wires the builds area into the composition root (called by services.bootstrap)."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from services.builds.service import BuildsService
from services.builds.templates_port import FolderTemplates, TemplateSource

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager

log = logging.getLogger(__name__)


def _samples_root() -> Path:
    return Path(str(resources.files("resources.samples")))


def wire(manager: ServiceManager) -> None:
    templates: Any = manager.extra.get("templates")
    source: TemplateSource
    if templates is not None and hasattr(templates, "package_dir"):
        source = templates
    else:
        # until the templates area is wired: template folders with a template.json
        source = FolderTemplates(manager.ctx.data_dir / "templates", _samples_root())
    limit = manager.settings.get("builds.max_concurrent", 2)
    svc = BuildsService(
        manager.ctx,
        source,
        max_concurrent=int(limit) if isinstance(limit, int) else 2,
        settings_get=manager.settings.get,
        base_url=manager.settings.base_url,
    )
    manager.extra["builds"] = svc
    # closing the app (or the CLI) cancels running builds: their tools run in their own sessions
    manager.on_close(svc.shutdown)
    try:
        svc.recover_interrupted()
    except Exception:  # a start-up chore must not stop the app
        log.exception("could not recover interrupted builds")
    register = getattr(templates, "register_stats_source", None)
    if callable(register):
        register(svc.template_stats)
