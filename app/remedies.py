"""What a person can do about an error: a typed remedy with its arguments.

Services and the core say *what* to do (``CreateKey("upload")``), never *how* in one interface's words:
the command line renders a remedy as a command to type (``ui/cli/remedies.py``), the desktop app as a
button that opens the right panel or dialog (``ui/remedies.py``). Each remedy also has a plain
sentence (:attr:`Remedy.label`) that reads the same in both.

Remedies are small immutable value classes with ``__slots__`` (not dataclasses: two dozen of those
cost a CLI command tens of milliseconds to create at import).
"""

from __future__ import annotations

import enum
from typing import ClassVar


class RemedyAction(enum.StrEnum):
    CREATE_KEY = "create_key"
    IMPORT_KEY = "import_key"
    EXPORT_KEY = "export_key"
    CHOOSE_KEY = "choose_key"
    CHOOSE_PLATFORM = "choose_platform"
    LIST_BUILDS = "list_builds"
    RESTORE_TEMPLATE = "restore_template"
    LIST_TEMPLATES = "list_templates"
    CHOOSE_ON_DUPLICATE = "choose_on_duplicate"
    SET_CREDENTIAL = "set_credential"
    SYNC_PAYMENTS = "sync_payments"
    IMPORT_PAYMENTS = "import_payments"
    RETRY_PAYMENT = "retry_payment"
    LIST_PAYMENTS = "list_payments"
    GIVE_PAYMENT_METHOD = "give_payment_method"
    SYNC_TRENDS = "sync_trends"
    IMPORT_TRENDS = "import_trends"
    LIST_TRENDS = "list_trends"
    LIST_EVENTS = "list_events"
    LIST_WORKFLOWS = "list_workflows"
    WORKFLOW_HISTORY = "workflow_history"
    REPLACE_WORKFLOW = "replace_workflow"
    IMPORT_WORKFLOW = "import_workflow"
    GIVE_INPUT = "give_input"
    SHOW_RUN = "show_run"
    CANCEL_RUN = "cancel_run"
    COMPENSATE_RUN = "compensate_run"
    RERUN_RUN = "rerun_run"
    RUN_DOCTOR = "run_doctor"


class Remedy:
    """Base of every remedy: a subclass names its ``action`` and carries its arguments (its slots)."""

    __slots__: ClassVar[tuple[str, ...]] = ()
    __match_args__: ClassVar[tuple[str, ...]] = ()
    action: ClassVar[RemedyAction]

    @property
    def label(self) -> str:
        raise NotImplementedError

    @property
    def arguments(self) -> dict[str, str | bool | None]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a remedy is immutable ({type(self).__name__}.{name})")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and isinstance(other, Remedy) and other.arguments == self.arguments

    def __hash__(self) -> int:
        return hash((type(self).__name__, *self.arguments.values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.arguments.items())})"


class CreateKey(Remedy):
    __slots__ = ("alias",)
    __match_args__ = ("alias",)
    alias: str | None
    action = RemedyAction.CREATE_KEY

    def __init__(self, alias: str | None = None) -> None:
        object.__setattr__(self, "alias", alias)

    @property
    def label(self) -> str:
        return f"create the signing key {self.alias!r}" if self.alias else "create a signing key"


class ImportKey(Remedy):
    """Bring in a keystore (under a new alias when ``alias`` is None)."""

    __slots__ = ("alias",)
    __match_args__ = ("alias",)
    alias: str | None
    action = RemedyAction.IMPORT_KEY

    def __init__(self, alias: str | None = None) -> None:
        object.__setattr__(self, "alias", alias)

    @property
    def label(self) -> str:
        return f"import the keystore as {self.alias!r}" if self.alias else "import the keystore under a new alias"


class ExportKey(Remedy):
    __slots__ = ("alias",)
    __match_args__ = ("alias",)
    alias: str
    action = RemedyAction.EXPORT_KEY

    def __init__(self, alias: str) -> None:
        object.__setattr__(self, "alias", alias)

    @property
    def label(self) -> str:
        return f"back up the key {self.alias!r}"


class ChooseKey(Remedy):
    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.CHOOSE_KEY

    @property
    def label(self) -> str:
        return "choose a signing key (or create one)"


class ChoosePlatform(Remedy):
    __slots__ = ("platform",)
    __match_args__ = ("platform",)
    platform: str
    action = RemedyAction.CHOOSE_PLATFORM

    def __init__(self, platform: str) -> None:
        object.__setattr__(self, "platform", platform)

    @property
    def label(self) -> str:
        return f"build for {self.platform}"


class ListBuilds(Remedy):
    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.LIST_BUILDS

    @property
    def label(self) -> str:
        return "see the builds"


class RestoreTemplate(Remedy):
    __slots__ = ("template_id",)
    __match_args__ = ("template_id",)
    template_id: str
    action = RemedyAction.RESTORE_TEMPLATE

    def __init__(self, template_id: str) -> None:
        object.__setattr__(self, "template_id", template_id)

    @property
    def label(self) -> str:
        return f"restore the template {self.template_id!r}"


class ListTemplates(Remedy):
    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.LIST_TEMPLATES

    @property
    def label(self) -> str:
        return "see the templates"


class ChooseOnDuplicate(Remedy):
    """Import again, replacing the template with the same id or keeping both."""

    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.CHOOSE_ON_DUPLICATE

    @property
    def label(self) -> str:
        return "import again, replacing it or keeping both"


class SetCredential(Remedy):
    __slots__ = ("provider",)
    __match_args__ = ("provider",)
    provider: str
    action = RemedyAction.SET_CREDENTIAL

    def __init__(self, provider: str) -> None:
        object.__setattr__(self, "provider", provider)

    @property
    def label(self) -> str:
        return f"store the {self.provider} credential"


class SyncPayments(Remedy):
    __slots__ = ("provider",)
    __match_args__ = ("provider",)
    provider: str | None
    action = RemedyAction.SYNC_PAYMENTS

    def __init__(self, provider: str | None = None) -> None:
        object.__setattr__(self, "provider", provider)

    @property
    def label(self) -> str:
        return f"sync {self.provider} payments" if self.provider else "sync payments"


class ImportPayments(Remedy):
    __slots__ = ("provider",)
    __match_args__ = ("provider",)
    provider: str
    action = RemedyAction.IMPORT_PAYMENTS

    def __init__(self, provider: str) -> None:
        object.__setattr__(self, "provider", provider)

    @property
    def label(self) -> str:
        return f"import {self.provider}'s export"


class RetryPayment(Remedy):
    __slots__ = ("payment_id",)
    __match_args__ = ("payment_id",)
    payment_id: str
    action = RemedyAction.RETRY_PAYMENT

    def __init__(self, payment_id: str) -> None:
        object.__setattr__(self, "payment_id", payment_id)

    @property
    def label(self) -> str:
        return f"retry the payment {self.payment_id}"


class ListPayments(Remedy):
    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.LIST_PAYMENTS

    @property
    def label(self) -> str:
        return "see the payments"


class GivePaymentMethod(Remedy):
    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.GIVE_PAYMENT_METHOD

    @property
    def label(self) -> str:
        return "give a saved payment method (pm_...)"


class SyncTrends(Remedy):
    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.SYNC_TRENDS

    @property
    def label(self) -> str:
        return "sync the trend sources"


class ImportTrends(Remedy):
    __slots__ = ("source",)
    __match_args__ = ("source",)
    source: str
    action = RemedyAction.IMPORT_TRENDS

    def __init__(self, source: str) -> None:
        object.__setattr__(self, "source", source)

    @property
    def label(self) -> str:
        return f"import a {self.source} export"


class ListTrends(Remedy):
    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.LIST_TRENDS

    @property
    def label(self) -> str:
        return "see the trends"


class ListEvents(Remedy):
    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.LIST_EVENTS

    @property
    def label(self) -> str:
        return "see the event log"


class ListWorkflows(Remedy):
    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.LIST_WORKFLOWS

    @property
    def label(self) -> str:
        return "see the workflows"


class WorkflowHistory(Remedy):
    __slots__ = ("workflow",)
    __match_args__ = ("workflow",)
    workflow: str | None
    action = RemedyAction.WORKFLOW_HISTORY

    def __init__(self, workflow: str | None = None) -> None:
        object.__setattr__(self, "workflow", workflow)

    @property
    def label(self) -> str:
        return f"see the runs of {self.workflow!r}" if self.workflow else "see a workflow's runs"


class ReplaceWorkflow(Remedy):
    __slots__ = ("workflow",)
    __match_args__ = ("workflow",)
    workflow: str
    action = RemedyAction.REPLACE_WORKFLOW

    def __init__(self, workflow: str) -> None:
        object.__setattr__(self, "workflow", workflow)

    @property
    def label(self) -> str:
        return f"replace the workflow {self.workflow!r}"


class ImportWorkflow(Remedy):
    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.IMPORT_WORKFLOW

    @property
    def label(self) -> str:
        return "import a workflow definition"


class GiveInput(Remedy):
    __slots__ = ("name",)
    __match_args__ = ("name",)
    name: str
    action = RemedyAction.GIVE_INPUT

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "name", name)

    @property
    def label(self) -> str:
        return f"give the input {self.name!r}"


class ShowRun(Remedy):
    """Look at a workflow run again (it changed meanwhile)."""

    __slots__ = ("run_id",)
    __match_args__ = ("run_id",)
    run_id: str
    action = RemedyAction.SHOW_RUN

    def __init__(self, run_id: str) -> None:
        object.__setattr__(self, "run_id", run_id)

    @property
    def label(self) -> str:
        return f"look at the run {self.run_id} again"


class CancelRun(Remedy):
    __slots__ = ("run_id",)
    __match_args__ = ("run_id",)
    run_id: str
    action = RemedyAction.CANCEL_RUN

    def __init__(self, run_id: str) -> None:
        object.__setattr__(self, "run_id", run_id)

    @property
    def label(self) -> str:
        return f"cancel the run {self.run_id} first"


class CompensateRun(Remedy):
    """Undo a run's completed steps; ``force``: also run again a compensation that was in flight
    and is not idempotent."""

    __slots__ = ("force", "run_id")
    __match_args__ = ("run_id", "force")
    run_id: str
    force: bool
    action = RemedyAction.COMPENSATE_RUN

    def __init__(self, run_id: str, force: bool = False) -> None:
        object.__setattr__(self, "run_id", run_id)
        object.__setattr__(self, "force", bool(force))

    @property
    def label(self) -> str:
        if self.force:
            return f"undo the run {self.run_id}, running its interrupted compensation again"
        return f"undo the completed steps of the run {self.run_id}"


class RerunRun(Remedy):
    """Run a run again from a step (``None``: a step the person picks); ``force``: also steps that
    are not idempotent and may already have taken effect."""

    __slots__ = ("force", "from_step", "run_id")
    __match_args__ = ("run_id", "from_step", "force")
    run_id: str
    from_step: str | None
    force: bool
    action = RemedyAction.RERUN_RUN

    def __init__(self, run_id: str, from_step: str | None = None, force: bool = False) -> None:
        object.__setattr__(self, "run_id", run_id)
        object.__setattr__(self, "from_step", from_step)
        object.__setattr__(self, "force", bool(force))

    @property
    def label(self) -> str:
        where = f" from the step {self.from_step!r}" if self.from_step else " from a step"
        again = ", running steps that are not idempotent again" if self.force else ""
        return f"run {self.run_id} again{where}{again}"


class RunDoctor(Remedy):
    __slots__ = ()
    __match_args__ = ()
    action = RemedyAction.RUN_DOCTOR

    @property
    def label(self) -> str:
        return "check the set-up"
