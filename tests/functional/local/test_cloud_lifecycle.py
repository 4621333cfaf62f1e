"""``LocalCloud`` builds everything when constructed; ``start`` only starts its threads."""

from __future__ import annotations

import socket
import threading

from quirks.local.cloud import LocalCloud


def _threads() -> set[threading.Thread]:
    return set(threading.enumerate())


def test_a_built_cloud_has_its_port_and_parts_and_runs_no_thread() -> None:
    before = _threads()
    cloud = LocalCloud()
    try:
        assert cloud.port != 0
        assert cloud.url == f"http://127.0.0.1:{cloud.port}"
        assert cloud.environment()["AWS_ENDPOINT_URL"] == cloud.url
        # Every part exists before start: callers and tests need no "is not None" checks.
        assert cloud.telemetry.clients is cloud.clients
        assert cloud.lambda_service.registry.base_environment["AWS_ENDPOINT_URL"] == cloud.url
        assert cloud.mappings.list() == []
        assert cloud.pollers == {}
        assert _threads() - before == set()
    finally:
        cloud.stop()
    # A cloud stopped without being started released its port.
    with socket.create_server(("127.0.0.1", cloud.port)):
        pass


def test_start_starts_the_threads_and_stop_ends_them() -> None:
    before = _threads()
    with LocalCloud() as cloud:
        started = {t.name for t in _threads() - before}
        assert "quirks-local" in started
        assert any(name.startswith("lambda-async-") for name in started)
        sqs = cloud.clients.client("sqs")
        url = sqs.create_queue(QueueName="lifecycle")["QueueUrl"]  # served: moto behind the front
        assert url in sqs.list_queues(QueueNamePrefix="lifecycle")["QueueUrls"]
        sqs.delete_queue(QueueUrl=url)
    assert not any(t.is_alive() for t in _threads() - before if t.name == "quirks-local")
