"""Template import throughput: 1,000 packages (folders and zips) through the full safe-import path,
beside a plain ``shutil.copytree`` of the same folders measured in the same run.

Run: .venv/bin/python bench/templates_import.py [N]
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "resources" / "samples" / "quotes-daily"


def make_packages(where: Path, n: int) -> list[Path]:
    manifest = json.loads((SAMPLE / "template.json").read_text())
    paths: list[Path] = []
    for i in range(n):
        folder = where / f"pkg-{i:05d}"
        shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
        m = dict(manifest, id=f"bench-{i:05d}", title=f"Bench template {i}")
        (folder / "template.json").write_text(json.dumps(m))
        if i % 2:  # every other one as a zip
            z = where / f"pkg-{i:05d}.zip"
            with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in folder.rglob("*"):
                    if f.is_file():
                        zf.write(f, f.relative_to(folder).as_posix())
            shutil.rmtree(folder)
            paths.append(z)
        else:
            paths.append(folder)
    return paths


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "src"
        src.mkdir()
        paths = make_packages(src, n)
        size = sum(f.stat().st_size for f in src.rglob("*") if f.is_file())

        # baseline: copy (folders) / extract (zips) with no checks at all
        base = tmpdir / "baseline"
        base.mkdir()
        t0 = time.perf_counter()
        for p in paths:
            if p.suffix == ".zip":
                with zipfile.ZipFile(p) as zf:
                    zf.extractall(base / p.stem)
            else:
                shutil.copytree(p, base / p.name)
        baseline_s = time.perf_counter() - t0

        config = AppConfig.from_env(tmpdir / "home")
        config.log_to_file = False
        manager = bootstrap(config, secrets=MemorySecretStore())
        t0 = time.perf_counter()
        results = manager.templates.import_paths(paths)
        import_s = time.perf_counter() - t0
        ok = sum(r.ok for r in results)
        assert ok == n, [r.error for r in results if not r.ok][:3]
        manager.close()

    print(f"packages: {n} ({n // 2} zips + {n - n // 2} folders, {size / 1e6:.1f} MB, each with a 360x640 PNG preview)")
    print(f"safe import (validate + unpack + schema + image check + DB + FTS + events + atomic rename): "
          f"{import_s:.2f} s = {n / import_s:.0f} packages/s ({1000 * import_s / n:.1f} ms each)")
    print(f"baseline plain copy/extractall, no checks, no DB:                                          "
          f"{baseline_s:.2f} s = {n / baseline_s:.0f} packages/s")
    print(f"ratio safe import / plain copy: x{import_s / baseline_s:.1f}")


if __name__ == "__main__":
    main()
