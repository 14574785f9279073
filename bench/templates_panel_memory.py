"""Memory (RSS) of the Templates panel showing 100,000 templates (the cached seed) beside an empty panel.

Each figure is measured in a fresh child process (same interpreter, same code) so they do not
share heaps: (1) an empty store, (2) 100,000 templates with the first page shown (read in the background; waited for), (3) the same
after scrolling to the very end (every row loaded by fetchMore).
Run: .venv/bin/python bench/templates_panel_memory.py [N]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtWidgets import QApplication
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore

def rss_kb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

app = QApplication([])
config = AppConfig.from_env(Path(sys.argv[1])); config.log_to_file = False
manager = bootstrap(config, secrets=MemorySecretStore())
from ui.panels.templates_panel import TemplatesPanel
before = rss_kb()
t0 = time.perf_counter()
panel = TemplatesPanel(manager); panel.resize(1280, 760); panel.grab()
app.processEvents()
while panel.loading:  # the first page is read in the background after the panel is shown: wait for it
    app.processEvents(); time.sleep(0.002)
panel.grab(); app.processEvents()
open_ms = (time.perf_counter() - t0) * 1000
after_open = rss_kb()
t0 = time.perf_counter()
if sys.argv[2] == "scroll":
    panel.model.fetch_all()
    panel.table.scrollToBottom(); panel.grab(); app.processEvents()
scroll_ms = (time.perf_counter() - t0) * 1000
print(json.dumps({"rows": panel.model.rowCount(), "rss_before_kb": before, "rss_open_kb": after_open,
                  "rss_end_kb": rss_kb(), "open_ms": open_ms, "scroll_ms": scroll_ms}))
manager.close()
"""


def run_child(data_dir: Path, mode: str) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", CHILD, str(data_dir), mode], capture_output=True, text=True,
                         env=env, check=True, cwd=Path(__file__).resolve().parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import seeded
    from services.bootstrap import bootstrap
    from services.config import AppConfig
    from services.secrets import MemorySecretStore

    with tempfile.TemporaryDirectory() as tmp:
        # the full store is the cached studio-sized seed (bench/seeded.py: its templates go in as an import's
        # do, triggers on), so the panel is measured on the same data as the scale benches
        empty, full = Path(tmp) / "empty", seeded.data_dir(n)
        config = AppConfig.from_env(empty)
        config.log_to_file = False
        bootstrap(config, secrets=MemorySecretStore()).close()
        e = run_child(empty, "open")
        f = run_child(full, "open")
        s = run_child(full, "scroll")

    def mb(kb: float) -> str:
        return f"{kb / 1024:7.1f} MB"

    print(f"empty panel:                       RSS {mb(e['rss_end_kb'])} (panel itself +{mb(e['rss_open_kb'] - e['rss_before_kb'])}), "
          f"opened in {e['open_ms']:.0f} ms, {e['rows']:.0f} rows")
    print(f"{n} templates, first page shown: RSS {mb(f['rss_end_kb'])} (panel +{mb(f['rss_open_kb'] - f['rss_before_kb'])}), "
          f"opened in {f['open_ms']:.0f} ms, {f['rows']:.0f} rows loaded")
    print(f"{n} templates, scrolled to end:  RSS {mb(s['rss_end_kb'])} (+{mb(s['rss_end_kb'] - s['rss_open_kb'])} for all rows, "
          f"{1024 * (s['rss_end_kb'] - s['rss_open_kb']) / max(s['rows'], 1):.0f} bytes/row), fetched in {s['scroll_ms']:.0f} ms")
    print(f"ratio first page / empty: x{f['rss_end_kb'] / e['rss_end_kb']:.2f};  scrolled to end / empty: x{s['rss_end_kb'] / e['rss_end_kb']:.2f}")


if __name__ == "__main__":
    main()
