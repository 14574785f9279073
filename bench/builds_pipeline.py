"""Wall time of the direct APK pipeline (QProcess jobs, persisted states/events/log, verification)
beside the same tools run by a plain shell script. Target: at most 1.2x.

Both sides run: aapt2 compile, aapt2 link (rename package, version), smali, add classes.dex
uncompressed (Python's zipfile on both sides: `zip` is not a dependency), zipalign, apksigner sign, zipalign -c, apksigner verify. Median of 3 runs each,
interleaved so machine load hits both alike.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication

from app.builds.outcome import SIGNED
from bench.builds_ended import ended
from bench.table import row

SCRIPT = r"""#!/bin/bash
set -euo pipefail
T="$1"; OUT="$2"; KS="$3"
FW=/usr/share/android-framework-res/framework-res.apk
mkdir -p "$OUT/dex" "$OUT/assets"
printf '{"quotes": ["bench"]}' > "$OUT/assets/content.json"
aapt2 compile --dir "$T/res" -o "$OUT/res.zip"
aapt2 link -I "$FW" --manifest "$T/AndroidManifest.xml" -A "$OUT/assets" --min-sdk-version 21 --target-sdk-version 29 \
  --rename-manifest-package com.trendforge.quotes --version-code 10000 --version-name 1.0.0 --replace-version \
  -o "$OUT/base.apk" "$OUT/res.zip"
smali assemble --api 21 -o "$OUT/dex/classes.dex" "$T/smali"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "a").write(sys.argv[2], "classes.dex", zipfile.ZIP_STORED)' "$OUT/base.apk" "$OUT/dex/classes.dex"
zipalign -f -p 4 "$OUT/base.apk" "$OUT/aligned.apk"
apksigner sign --ks "$KS" --ks-key-alias bench --ks-pass env:KSPASS --key-pass env:KSPASS --out "$OUT/app.apk" "$OUT/aligned.apk"
zipalign -c -p 4 "$OUT/app.apk"
apksigner verify --verbose --print-certs "$OUT/app.apk" > /dev/null
"""


def main() -> None:
    app = QCoreApplication.instance() or QCoreApplication([])
    from builds_support import make_app, prepared_android, tempdir

    tmp = tempdir()
    try:
        manager = make_app(tmp)
        svc = manager.builds
        key = svc.list_keys()[0]
        password = svc.key_password("bench")
        android = prepared_android(manager, tmp / "prepared")
        script = tmp / "build.sh"
        script.write_text(SCRIPT)
        script.chmod(0o755)
        # warm-up (JVM/file caches) on both sides
        ended(svc, svc.start_build("quotes-daily", "1.0.0", "apk", key_alias="bench").id, 120)
        subprocess.run([str(script), str(android), str(tmp / "warm"), key.keystore_path],
                       check=True, env={**os.environ, "KSPASS": password})
        ours: list[float] = []
        shell: list[float] = []
        for i in range(3):
            t0 = time.perf_counter()
            done = ended(svc, svc.start_build("quotes-daily", "1.0.0", "apk", key_alias="bench").id, 120)
            ours.append(time.perf_counter() - t0)
            assert SIGNED(done), done.error
            out = tmp / f"shell-{i}"
            t0 = time.perf_counter()
            subprocess.run([str(script), str(android), str(out), key.keystore_path],
                           check=True, env={**os.environ, "KSPASS": password})
            shell.append(time.perf_counter() - t0)
        a, b = statistics.median(ours), statistics.median(shell)
        print("builds pipeline (APK, direct backend), median of 3:")
        print(f"  TrendForge pipeline (QProcess, DB states, events, log): {a:6.2f} s   runs {', '.join(f'{x:.2f}' for x in ours)}")
        print(f"  plain shell script, same tools (baseline):              {b:6.2f} s   runs {', '.join(f'{x:.2f}' for x in shell)}")
        print(f"  ratio {a / b:.2f}x; target <= 1.2x: {'met' if a / b <= 1.2 else 'NOT met'}")
        row("APK build pipeline", a, b, "s", "<= 1.2x shell script", a / b <= 1.2)
        manager.close()
        del app
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
