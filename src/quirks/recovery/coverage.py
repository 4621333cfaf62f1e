"""What earlier runs already archived at the ``--to`` target, so that a rerun archives nothing twice.

A run killed after writing an archive but before deleting its messages leaves pointers whose records
are safe. The next run may receive them with other messages and merge them into a different range,
so writing that range whole would archive the same records under a second name. Before reading a
range, the service asks :class:`ArchiveIndex` which parts of it are covered by archives already
there (their names carry their ranges, :func:`ranges.archive_name`) and which records those hold
(read with the bounded archive parser); it then reads only what is left, archives only records no
archive holds yet, and settles — deletes — a pointer whose range is fully covered.
"""

from __future__ import annotations

import io
import logging
import re
from typing import TYPE_CHECKING

from quirks.streams.archive import ARCHIVE_SUFFIX, iter_archive
from quirks.streams.sequence import SequenceRange

if TYPE_CHECKING:
    from quirks.recovery.ranges import PlannedRange
    from quirks.storage import ObjectStore

__all__ = ["ArchiveIndex", "Coverage"]

logger = logging.getLogger(__name__)

_TAIL = re.compile(r"(\d+)-(\d+)" + re.escape(ARCHIVE_SUFFIX))


class Coverage:
    """The archived part of one planned range: archive ranges, and the sequences they hold."""

    def __init__(self, ranges: list[SequenceRange], sequences: set[int]) -> None:
        self.ranges = ranges
        self.sequences = sequences


class ArchiveIndex:
    """The recovery archives at a store, listed once per shard and run, read only where needed."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._listed: dict[str, list[tuple[SequenceRange, str]]] = {}

    def _archives(self, directory: str) -> list[tuple[SequenceRange, str]]:
        """The archives of one stream shard (``directory``), listed once per run."""
        if directory not in self._listed:
            found: list[tuple[SequenceRange, str]] = []
            try:
                names = list(self.store.names(directory + "/"))
            except Exception as exc:
                # Unknown coverage: the range is read and archived whole, as before (duplicates
                # at worst); writing the archive will fail the same way and keep the messages.
                logger.warning("cannot list the archives in %s: %s", directory, exc)
                names = []
            for name in names:
                head, _, tail = name.rpartition("/")
                match = _TAIL.fullmatch(tail)
                if head != directory or not match or int(match[1]) > int(match[2]):
                    continue  # anything that is not a recovery archive of this shard
                found.append((SequenceRange(int(match[1]), int(match[2])), name))
            self._listed[directory] = found
        return self._listed[directory]

    def add(self, name: str, rng: SequenceRange) -> None:
        """Remember an archive this run wrote (later ranges of the run see it too)."""
        self._archives(name.rpartition("/")[0]).append((rng, name))

    def coverage(self, planned: PlannedRange) -> Coverage:
        """The archives overlapping ``planned`` and the sequence numbers in range they hold.

        An archive that cannot be read is ignored (and logged): its range is read again, at worst
        archiving its records a second time, never losing one.
        """
        directory = planned.archive_name.rpartition("/")[0]
        ranges: list[SequenceRange] = []
        sequences: set[int] = set()
        for rng, name in self._archives(directory):
            if rng.end < planned.range.start or planned.range.end < rng.start:
                continue
            try:
                held = [
                    int(record["dynamodb"]["SequenceNumber"])
                    for record in iter_archive(io.BytesIO(self.store.get(name)))
                ]
            except Exception as exc:
                logger.warning("ignoring archive %s that cannot be read: %s", name, exc)
                continue
            ranges.append(rng)
            sequences.update(s for s in held if s in planned.range)
        return Coverage(ranges, sequences)
