"""The Lambda handler stays light: no CLI or test dependencies are imported with it."""

from __future__ import annotations

import json
import subprocess
import sys


def test_handler_imports_no_cli_or_emulator_modules() -> None:
    code = (
        "import json, sys; import quirks.fanout.handler; "
        "print(json.dumps(sorted(m for m in ('typer', 'rich', 'moto', 'yaml') if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
