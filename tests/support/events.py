"""Load the captured event fixtures in ``tests/events``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parent.parent / "events"


def load_event(name: str) -> Any:
    """The parsed JSON of ``tests/events/<name>``."""
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))
