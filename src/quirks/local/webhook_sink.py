"""A Slack-compatible incoming-webhook sink on 127.0.0.1, for the demo and the tests.

It answers ``POST`` with ``200 ok`` like Slack and keeps every JSON body it received, so the demo can
show the alerts that arrived.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["WebhookSink"]


class WebhookSink:
    """Start with :meth:`start`; :attr:`url` is the webhook URL; :attr:`messages` what arrived."""

    def __init__(self, port: int = 0) -> None:
        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    message = json.loads(body)
                except ValueError:
                    message = {"text": body.decode("utf-8", "replace")}
                with sink._lock:
                    sink.messages.append(message)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="webhook-sink", daemon=True
        )

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/services/demo"

    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages)

    def start(self) -> WebhookSink:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
