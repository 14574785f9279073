"""Wall time of a full Google Play release against the loopback Play stand-in, beside the same build
deployed to a folder (the baseline: everything but Play). Target: Play adds at most 3 s per release.

A release: build an AAB (direct backend) -> insert edit -> read the track -> resumable upload ->
track update keeping the completed release (staged 10%, notes in two languages) -> validate ->
commit, then the store listing in two languages with an icon and three screenshots each. The
token is minted once per run of this script and then cached, as in the app. Median of 3 runs each,
interleaved so machine load hits both alike.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication  # noqa: E402

from app.builds.outcome import DEPLOYED  # noqa: E402
from bench.builds_ended import ended  # noqa: E402
from bench.table import row  # noqa: E402

SAMPLE = ROOT / "resources" / "samples" / "quotes-daily"
APP_ID = "com.indie.quotes"  # a maker's own id: the release check refuses the sample's own for Play


def main() -> None:
    app = QCoreApplication.instance() or QCoreApplication([])
    from services.bootstrap import bootstrap
    from services.config import AppConfig
    from services.releases.listing_files import load_listing_dir
    from services.secrets import MemorySecretStore
    from tests.support.play_listing import write_listing
    from tests.support.play_standin import PlayStandIn

    tmp = Path(tempfile.mkdtemp(prefix="tf-bench-play-"))
    play = PlayStandIn().start()
    os.environ["TRENDFORGE_PLAY_BASE_URL"] = play.url
    try:
        account = play.add_account()
        play.add_app(APP_ID, grant=account)
        play.seed(APP_ID, "production", {"versionCodes": ["1"], "status": "completed"})
        pkg = tmp / "package" / "quotes-daily"
        shutil.copytree(SAMPLE, pkg)
        manifest = json.loads((pkg / "template.json").read_text())
        (pkg / "template.json").write_text(json.dumps({**manifest, "target_sdk": 36, "application_id": APP_ID}))
        config = AppConfig.from_env(tmp / "home")
        config.log_to_file = False
        manager = bootstrap(config, secrets=MemorySecretStore())
        manager.templates.import_path(pkg)
        manager.builds.create_key("bench", dname="CN=Bench, O=TrendForge, C=US")
        manager.releases.store_key(play.key_json(account))
        builds, releases = manager.builds, manager.releases
        store = load_listing_dir(write_listing(tmp / "listing", {"en-US": "Quotes Daily", "de-DE": "Zitate Täglich"},
                                                feature_graphic=False))
        notes = {"en-US": "Dark theme", "de-DE": "Dunkles Design"}

        def release() -> float:
            t0 = time.perf_counter()
            done = ended(builds, builds.start_build("quotes-daily", "1.0.0", "aab", key_alias="bench",
                                                  deploy="play:production", rollout=0.1, notes=notes).id, 300)
            assert DEPLOYED(done), done.error
            releases.push_listing(APP_ID, store)
            return time.perf_counter() - t0

        def folder(i: int) -> float:
            t0 = time.perf_counter()
            done = ended(builds, builds.start_build("quotes-daily", "1.0.0", "aab", key_alias="bench",
                                                  deploy=f"folder:{tmp / f'out-{i}'}").id, 300)
            assert DEPLOYED(done), done.error
            return time.perf_counter() - t0

        release()  # warm-up: JVM and file caches, the first token
        folder(99)
        ours: list[float] = []
        base: list[float] = []
        for i in range(3):
            ours.append(release())
            base.append(folder(i))
        a, b = statistics.median(ours), statistics.median(base)
        print("full Google Play release to the loopback stand-in (AAB build + edits flow + listing), median of 3:")
        print(f"  build + Play release + listing (2 languages, 8 images): {a:6.2f} s   runs {', '.join(f'{x:.2f}' for x in ours)}")
        print(f"  same build deployed to a folder (baseline):             {b:6.2f} s   runs {', '.join(f'{x:.2f}' for x in base)}")
        print(f"  Play adds {a - b:.2f} s ({a / b:.2f}x); target <= 3 s: {'met' if a - b <= 3.0 else 'NOT met'}; "
              f"tokens minted: {releases.tokens_minted}; commits: {len(play.commits)}")
        row("Play release (build + edits + listing)", a, b, "s", "<= folder deploy + 3 s", a - b <= 3.0)
        manager.close()
        del app
    finally:
        play.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
