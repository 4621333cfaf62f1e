"""Fixtures for the alerts tests: a local stand-in for a Slack incoming webhook."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

from quirks.alerts import handler as alert_handler

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass
class FakeSlack:
    """Records every POSTed body; answers from ``responses`` first, then 200 ``ok``."""

    url: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)
    responses: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_next(
        self, status: int, body: str = "", headers: dict[str, str] | None = None
    ) -> None:
        self.responses.append((status, headers or {}, body))

    @property
    def texts(self) -> list[str]:
        return [b["text"] for b in self.bodies]


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A webhook on 127.0.0.1 that stores accepted messages in ``bodies``."""
    state = FakeSlack()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            with state.lock:
                state.attempts += 1
                status, headers, text = (
                    state.responses.pop(0) if state.responses else (200, {}, "ok")
                )
                if status == 200:
                    state.bodies.append(body)
            payload = (text or ("ok" if status == 200 else "error")).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    state.url = f"http://{host!s}:{port}/services/T000/B000/XXXXSECRETXXXX"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _fresh_notifier() -> Iterator[None]:
    """Each test builds the container's notifier from its own environment."""
    alert_handler.reset()
    yield
    alert_handler.reset()


@pytest.fixture
def log_lines() -> Iterator[list[dict[str, Any]]]:
    """The handler's and notifier's log lines, as the JSON documents Powertools writes on Lambda."""
    import logging

    lines: list[dict[str, Any]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(self.format(record)))

    collector = Collect()
    collector.setFormatter(alert_handler.logger.registered_formatter)
    targets = [alert_handler.logger._logger, logging.getLogger("quirks.alerts")]
    for target in targets:
        target.addHandler(collector)
    yield lines
    for target in targets:
        target.removeHandler(collector)
