"""The handlers' Lambda zip from ``quirks package`` vs. the naive zip of ``pip install . --target``.

Run: ``.venv/bin/python benchmarks/bench_package.py`` (needs the package index, like any pip build).
Both are built twice in the same run, from this checkout. The naive build is what a newcomer does
without the tool: ``pip install <checkout>[cli] --target DIR`` (every dependency of the command,
the CLI's and boto3 included, resolved for the build machine) and ``shutil.make_archive`` of DIR.
Measured: size,
whether two builds give the same bytes, wall time, and whether the build machine shows in the zip.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def naive(out: Path) -> Path:
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "build"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--target",
                str(target),
                f"{ROOT}[cli]",
            ],
            check=True,
            capture_output=True,
        )
        time.sleep(1.1)  # a second build a moment later: zip timestamps have 2 s resolution
        return Path(shutil.make_archive(str(out / "naive"), "zip", target))


def tool(out: Path) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "quirks", "package", "--out", str(out), "--json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return Path(json.loads(result.stdout)["artifacts"][0]["path"])


def measure(build: object, label: str) -> dict[str, object]:
    paths, seconds = [], []
    for run in range(2):
        out = Path(tempfile.mkdtemp(prefix=f"bench-{label}-{run}-"))
        started = time.perf_counter()
        paths.append(build(out))  # type: ignore[operator]
        seconds.append(time.perf_counter() - started)
    with zipfile.ZipFile(paths[0]) as archive:
        names = archive.namelist()
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    return {
        "bytes": paths[0].stat().st_size,
        "entries": len(names),
        "identical": digests[0] == digests[1],
        "seconds": round(min(seconds), 1),
        "build_machine_traces": sum(
            1 for n in names if n.startswith("bin/") or n.endswith(("direct_url.json", ".pyc"))
        ),
        "cli_dependencies": sorted(
            {n.split("/")[0] for n in names} & {"typer", "rich", "boto3", "botocore"}
        ),
    }


def main() -> None:
    results = {"naive": measure(naive, "naive"), "quirks package": measure(tool, "tool")}
    for label, data in results.items():
        print(f"{label:15} {data}")
    ratio = int(results["naive"]["bytes"]) / int(results["quirks package"]["bytes"])  # type: ignore[call-overload]
    print(f"size ratio naive / quirks package: {ratio:.1f}x")


if __name__ == "__main__":
    main()
