"""What a person can do about an error: a typed remedy with its arguments.

Services and the core say *what* to do (``CreateKey("upload")``), never *how* in one interface's words:
the command line renders a remedy as a command to type (``ui/cli/remedies.py``), the desktop app as a
button that opens the right panel or dialog (``ui/remedies.py``). Each remedy also has a plain
sentence (:attr:`Remedy.label`) that reads the same in both.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
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
    RUN_DOCTOR = "run_doctor"


@dataclass(frozen=True)
class Remedy:
    """Base of every remedy; a subclass names its action and carries its arguments."""

    action: ClassVar[RemedyAction]

    @property
    def label(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class CreateKey(Remedy):
    alias: str | None = None
    action: ClassVar[RemedyAction] = RemedyAction.CREATE_KEY

    @property
    def label(self) -> str:
        return f"create the signing key {self.alias!r}" if self.alias else "create a signing key"


@dataclass(frozen=True)
class ImportKey(Remedy):
    """Bring in a keystore (under a new alias when ``alias`` is None)."""

    alias: str | None = None
    action: ClassVar[RemedyAction] = RemedyAction.IMPORT_KEY

    @property
    def label(self) -> str:
        return f"import the keystore as {self.alias!r}" if self.alias else "import the keystore under a new alias"


@dataclass(frozen=True)
class ExportKey(Remedy):
    alias: str
    action: ClassVar[RemedyAction] = RemedyAction.EXPORT_KEY

    @property
    def label(self) -> str:
        return f"back up the key {self.alias!r}"


@dataclass(frozen=True)
class ChooseKey(Remedy):
    action: ClassVar[RemedyAction] = RemedyAction.CHOOSE_KEY

    @property
    def label(self) -> str:
        return "choose a signing key (or create one)"


@dataclass(frozen=True)
class ChoosePlatform(Remedy):
    platform: str
    action: ClassVar[RemedyAction] = RemedyAction.CHOOSE_PLATFORM

    @property
    def label(self) -> str:
        return f"build for {self.platform}"


@dataclass(frozen=True)
class ListBuilds(Remedy):
    action: ClassVar[RemedyAction] = RemedyAction.LIST_BUILDS

    @property
    def label(self) -> str:
        return "see the builds"


@dataclass(frozen=True)
class RestoreTemplate(Remedy):
    template_id: str
    action: ClassVar[RemedyAction] = RemedyAction.RESTORE_TEMPLATE

    @property
    def label(self) -> str:
        return f"restore the template {self.template_id!r}"


@dataclass(frozen=True)
class ListTemplates(Remedy):
    action: ClassVar[RemedyAction] = RemedyAction.LIST_TEMPLATES

    @property
    def label(self) -> str:
        return "see the templates"


@dataclass(frozen=True)
class ChooseOnDuplicate(Remedy):
    """Import again, replacing the template with the same id or keeping both."""

    action: ClassVar[RemedyAction] = RemedyAction.CHOOSE_ON_DUPLICATE

    @property
    def label(self) -> str:
        return "import again, replacing it or keeping both"


@dataclass(frozen=True)
class SetCredential(Remedy):
    provider: str
    action: ClassVar[RemedyAction] = RemedyAction.SET_CREDENTIAL

    @property
    def label(self) -> str:
        return f"store the {self.provider} credential"


@dataclass(frozen=True)
class SyncPayments(Remedy):
    provider: str | None = None
    action: ClassVar[RemedyAction] = RemedyAction.SYNC_PAYMENTS

    @property
    def label(self) -> str:
        return f"sync {self.provider} payments" if self.provider else "sync payments"


@dataclass(frozen=True)
class ImportPayments(Remedy):
    provider: str
    action: ClassVar[RemedyAction] = RemedyAction.IMPORT_PAYMENTS

    @property
    def label(self) -> str:
        return f"import {self.provider}'s export"


@dataclass(frozen=True)
class RetryPayment(Remedy):
    payment_id: str
    action: ClassVar[RemedyAction] = RemedyAction.RETRY_PAYMENT

    @property
    def label(self) -> str:
        return f"retry the payment {self.payment_id}"


@dataclass(frozen=True)
class ListPayments(Remedy):
    action: ClassVar[RemedyAction] = RemedyAction.LIST_PAYMENTS

    @property
    def label(self) -> str:
        return "see the payments"


@dataclass(frozen=True)
class GivePaymentMethod(Remedy):
    action: ClassVar[RemedyAction] = RemedyAction.GIVE_PAYMENT_METHOD

    @property
    def label(self) -> str:
        return "give a saved payment method (pm_...)"


@dataclass(frozen=True)
class SyncTrends(Remedy):
    action: ClassVar[RemedyAction] = RemedyAction.SYNC_TRENDS

    @property
    def label(self) -> str:
        return "sync the trend sources"


@dataclass(frozen=True)
class ImportTrends(Remedy):
    source: str
    action: ClassVar[RemedyAction] = RemedyAction.IMPORT_TRENDS

    @property
    def label(self) -> str:
        return f"import a {self.source} export"


@dataclass(frozen=True)
class ListTrends(Remedy):
    action: ClassVar[RemedyAction] = RemedyAction.LIST_TRENDS

    @property
    def label(self) -> str:
        return "see the trends"


@dataclass(frozen=True)
class ListEvents(Remedy):
    action: ClassVar[RemedyAction] = RemedyAction.LIST_EVENTS

    @property
    def label(self) -> str:
        return "see the event log"


@dataclass(frozen=True)
class ListWorkflows(Remedy):
    action: ClassVar[RemedyAction] = RemedyAction.LIST_WORKFLOWS

    @property
    def label(self) -> str:
        return "see the workflows"


@dataclass(frozen=True)
class WorkflowHistory(Remedy):
    workflow: str | None = None
    action: ClassVar[RemedyAction] = RemedyAction.WORKFLOW_HISTORY

    @property
    def label(self) -> str:
        return f"see the runs of {self.workflow!r}" if self.workflow else "see a workflow's runs"


@dataclass(frozen=True)
class ReplaceWorkflow(Remedy):
    workflow: str
    action: ClassVar[RemedyAction] = RemedyAction.REPLACE_WORKFLOW

    @property
    def label(self) -> str:
        return f"replace the workflow {self.workflow!r}"


@dataclass(frozen=True)
class ImportWorkflow(Remedy):
    action: ClassVar[RemedyAction] = RemedyAction.IMPORT_WORKFLOW

    @property
    def label(self) -> str:
        return "import a workflow definition"


@dataclass(frozen=True)
class GiveInput(Remedy):
    name: str
    action: ClassVar[RemedyAction] = RemedyAction.GIVE_INPUT

    @property
    def label(self) -> str:
        return f"give the input {self.name!r}"


@dataclass(frozen=True)
class RunDoctor(Remedy):
    action: ClassVar[RemedyAction] = RemedyAction.RUN_DOCTOR

    @property
    def label(self) -> str:
        return "check the set-up"
