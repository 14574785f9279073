"""What the Home panel shows: a snapshot of every area, and the first-run guide's steps.

Pure data and rules; ``services.home`` fills it from the areas' maintained summaries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta

SPARKLINE_DAYS = 30


class Area(enum.StrEnum):
    """The panel an item opens in."""

    TEMPLATES = "Templates"
    PAYMENTS = "Payments"
    TRENDS = "Trends"
    BUILDS = "Builds"
    WORKFLOWS = "Workflows"
    EVENTS = "Events"
    RELEASES = "Releases"


@dataclass(frozen=True)
class ItemRef:
    """One thing in one area: what a Home row (or a link, or the quick switcher) opens."""

    area: Area
    item_id: str


class RunAttention(enum.StrEnum):
    APPROVAL = "waiting for approval"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class Windows:
    """The calendar windows the revenue figures cover (UTC days; ``until`` exclusive)."""

    week_start: date
    month_start: date
    spark_start: date
    until: date

    @property
    def since(self) -> date:
        return min(self.week_start, self.month_start, self.spark_start)


def revenue_windows(today: date) -> Windows:
    """This week starts on Monday, this month on the 1st; the sparkline is the last 30 days."""
    return Windows(
        week_start=today - timedelta(days=today.weekday()),
        month_start=today.replace(day=1),
        spark_start=today - timedelta(days=SPARKLINE_DAYS - 1),
        until=today + timedelta(days=1),
    )


@dataclass(frozen=True)
class CurrencyRevenue:
    currency: str
    week_net: int
    month_net: int
    daily_net: tuple[int, ...]  # one figure per day of the sparkline, oldest first


def revenue_by_currency(days: list[tuple[str, str, int]], windows: Windows) -> list[CurrencyRevenue]:
    """Fold ``(YYYY-MM-DD, currency, net)`` day rows into per-currency figures, busiest month first."""
    span = (windows.until - windows.spark_start).days
    per: dict[str, tuple[int, int, list[int]]] = {}
    for day_text, currency, net in days:
        day = date.fromisoformat(day_text)
        week, month, spark = per.setdefault(currency, (0, 0, [0] * span))
        if windows.week_start <= day < windows.until:
            week += net
        if windows.month_start <= day < windows.until:
            month += net
        index = (day - windows.spark_start).days
        if 0 <= index < span:
            spark[index] += net
        per[currency] = (week, month, spark)
    out = [CurrencyRevenue(c, w, m, tuple(s)) for c, (w, m, s) in per.items()]
    return sorted(out, key=lambda r: (-r.month_net, r.currency))


@dataclass(frozen=True)
class BuildItem:
    id: str
    template_id: str
    platform: str
    version_name: str
    state: str
    error: str | None = None

    @property
    def ref(self) -> ItemRef:
        return ItemRef(Area.BUILDS, self.id)


@dataclass(frozen=True)
class TrendItem:
    id: str
    title: str
    score: float

    @property
    def ref(self) -> ItemRef:
        return ItemRef(Area.TRENDS, self.id)


@dataclass(frozen=True)
class RunItem:
    id: str
    workflow: str
    attention: RunAttention
    step: str = ""
    live: bool = False  # an approval can be given only while the engine holds the run

    @property
    def ref(self) -> ItemRef:
        return ItemRef(Area.WORKFLOWS, self.id)


@dataclass(frozen=True)
class PaymentItem:
    id: str
    provider: str
    amount: int
    currency: str
    status: str
    template_id: str | None = None
    error: str | None = None

    @property
    def ref(self) -> ItemRef:
        return ItemRef(Area.PAYMENTS, self.id)


@dataclass(frozen=True)
class HealthItem:
    """A service, source or the keyring that is not well, with the reason in words."""

    name: str
    ok: bool
    reason: str
    area: Area | None = None

    @property
    def ref(self) -> ItemRef | None:
        return ItemRef(self.area, "") if self.area is not None else None  # the panel, nothing in it selected


class GuideStep(enum.StrEnum):
    KEYRING = "keyring"
    SAMPLES = "samples"
    UPLOAD_KEY = "upload_key"
    KEY_BACKUP = "key_backup"
    CREDENTIAL = "credential"
    FIRST_BUILD = "first_build"
    FIRST_RELEASE = "first_release"


GUIDE_TITLES: dict[GuideStep, str] = {
    GuideStep.KEYRING: "Keyring reachable",
    GuideStep.SAMPLES: "Import the sample templates",
    GuideStep.UPLOAD_KEY: "Create an upload key",
    GuideStep.KEY_BACKUP: "Back up the upload key",
    GuideStep.CREDENTIAL: "Add a provider credential",
    GuideStep.FIRST_BUILD: "Make a first build",
    GuideStep.FIRST_RELEASE: "Make a first release",
}


@dataclass(frozen=True)
class GuideFacts:
    """What the guide needs to know, each fact read from its area."""

    keyring_ok: bool
    keyring_detail: str
    templates: int
    keys: int
    credentials: int
    builds_succeeded: int
    releases: int
    keys_backed_up: int = 0  # keys with an exported copy of their current keystore


@dataclass(frozen=True)
class GuideItem:
    step: GuideStep
    done: bool
    detail: str

    @property
    def title(self) -> str:
        return GUIDE_TITLES[self.step]


KEYRING_REMEDY = (
    "TrendForge keeps secrets in the system keyring (Secret Service). Install gnome-keyring "
    "(or KeePassXC with Secret Service on), start and unlock it, then check again."
)


def guide(facts: GuideFacts) -> list[GuideItem]:
    """The first-run steps in order, each done or still to do, with what it means in words."""
    def n(count: int, one: str) -> str:
        return f"{count} {one}{'' if count == 1 else 's'}"

    return [
        GuideItem(GuideStep.KEYRING, facts.keyring_ok,
                  f"Reachable ({facts.keyring_detail})" if facts.keyring_ok
                  else f"Not reachable: {facts.keyring_detail}. {KEYRING_REMEDY}"),
        GuideItem(GuideStep.SAMPLES, facts.templates > 0,
                  f"{n(facts.templates, 'template')} in the catalogue" if facts.templates
                  else "Three ready-made apps to build and change."),
        GuideItem(GuideStep.UPLOAD_KEY, facts.keys > 0,
                  f"{n(facts.keys, 'key')} ready to sign" if facts.keys
                  else "Every release is signed with it; losing it locks you out of your Play listing."),
        GuideItem(GuideStep.KEY_BACKUP, facts.keys > 0 and facts.keys_backed_up >= facts.keys,
                  (f"{n(facts.keys_backed_up, 'key')} backed up" if facts.keys_backed_up >= facts.keys
                   else f"{facts.keys - facts.keys_backed_up} of {n(facts.keys, 'key')} not backed up yet: "
                        "export a copy to a drive or a password manager")
                  if facts.keys else "Once the key exists, export a copy: without it no update can be signed."),
        GuideItem(GuideStep.CREDENTIAL, facts.credentials > 0,
                  f"{n(facts.credentials, 'credential')} saved in the keyring" if facts.credentials
                  else "Stripe, Gumroad, Ko-fi, itch.io or Google Play, so sales and releases come in."),
        GuideItem(GuideStep.FIRST_BUILD, facts.builds_succeeded > 0,
                  f"{n(facts.builds_succeeded, 'successful build')}" if facts.builds_succeeded
                  else "Turn a template into a signed APK or AAB."),
        GuideItem(GuideStep.FIRST_RELEASE, facts.releases > 0,
                  f"{n(facts.releases, 'release')}" if facts.releases
                  else "Deploy a build to a folder, a device or a Play track."),
    ]


@dataclass(frozen=True)
class SearchHit:
    """A quick-switcher result: what it is, in words, and where it opens."""

    ref: ItemRef
    label: str


MIN_ID_PREFIX = 3  # shorter text matches names only


@dataclass(frozen=True)
class HomeOverview:
    revenue: list[CurrencyRevenue] = field(default_factory=list)
    builds: list[BuildItem] = field(default_factory=list)
    trends: list[TrendItem] = field(default_factory=list)
    runs: list[RunItem] = field(default_factory=list)
    failed_payments: list[PaymentItem] = field(default_factory=list)
    health: list[HealthItem] = field(default_factory=list)
    guide: list[GuideItem] = field(default_factory=list)

    @property
    def guide_done(self) -> bool:
        return all(item.done for item in self.guide)
