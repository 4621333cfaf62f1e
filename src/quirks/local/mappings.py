"""Event source mappings of the local Lambda: the registry that starts and stops their pollers.

Only this emulator owns stream and queue mappings: moto's own mapping handling invokes on every write
and empties the shard (a known gap of moto), so ``CreateEventSourceMapping`` never reaches moto.
The model is :class:`~quirks.local.models.MappingConfig`, its validation
:func:`~quirks.local.params.build_mapping`, its API :class:`~quirks.local.mapping_api.MappingApi`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from quirks.local.errors import missing

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.local.models import MappingConfig

__all__ = ["MappingRegistry"]


class MappingRegistry:
    """Mappings by UUID; ``on_change`` starts/stops pollers."""

    def __init__(
        self, on_change: Callable[[MappingConfig | None, MappingConfig | None], None]
    ) -> None:
        self._mappings: dict[str, MappingConfig] = {}
        self._lock = threading.Lock()
        self._on_change = on_change

    def get(self, mapping_uuid: str) -> MappingConfig:
        with self._lock:
            if mapping_uuid not in self._mappings:
                raise missing(f"The resource you requested does not exist. (UUID {mapping_uuid})")
            return self._mappings[mapping_uuid]

    def list(
        self, function_arn: str | None = None, source_arn: str | None = None
    ) -> list[MappingConfig]:
        with self._lock:
            return [
                m
                for m in self._mappings.values()
                if (function_arn is None or m.function_arn == function_arn)
                and (source_arn is None or m.event_source_arn == source_arn)
            ]

    def put(self, mapping: MappingConfig) -> MappingConfig:
        with self._lock:
            old = self._mappings.get(mapping.uuid)
            self._mappings[mapping.uuid] = mapping
        self._on_change(old, mapping)
        return mapping

    def delete(self, mapping_uuid: str) -> MappingConfig:
        mapping = self.get(mapping_uuid)
        with self._lock:
            self._mappings.pop(mapping_uuid, None)
        self._on_change(mapping, None)
        return mapping

    def reset(self) -> None:
        for mapping in self.list():
            self.delete(mapping.uuid)
