"""The worker runs next to the user's handler: it imports the shared name helpers, nothing heavy."""

from __future__ import annotations

import subprocess
import sys


def test_the_worker_imports_only_the_standard_library_helpers() -> None:
    probe = (
        "import sys, quirks.local.worker; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('quirks', 'boto3', 'botocore', 'werkzeug', 'moto'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        "quirks",
        "quirks.arns",
        "quirks.errors",
        "quirks.local",
        "quirks.local.worker",
        "quirks.timestamps",
    ]
