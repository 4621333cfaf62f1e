"""The fan-out configuration: parsed and validated once, at cold start.

Sources, first found wins (:func:`quirks.fanout.factory.load_config`):

1. ``QUIRKS_FANOUT_CONFIG``: the JSON document inline;
2. ``QUIRKS_FANOUT_CONFIG_FILE``: a path to a JSON file (YAML when the name ends in ``.yaml``/``.yml``
   and PyYAML is installed);
3. ``QUIRKS_FANOUT_CONFIG_SSM``: the name of an SSM parameter holding the JSON (decrypted).

Every problem raises :class:`~quirks.errors.ConfigurationError` whose message names the target and
the field (``targets[billing].on_failure.destination: is required for mode 'divert'``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from quirks import jsonsafe
from quirks.arns import S3Uri
from quirks.errors import ConfigurationError, FormatError, UserError
from quirks.fanout.filters import FilterError, FilterSet, compile_filters
from quirks.fields import MISSING, Fields
from quirks.limits import SNS_MAX_MESSAGE_BYTES

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CONFIG_ENV",
    "CONFIG_FILE_ENV",
    "CONFIG_SSM_ENV",
    "FanoutConfig",
    "OnFailure",
    "Target",
    "decode_config",
    "failure_queue",
    "load_file",
    "parse_config",
]

CONFIG_ENV = "QUIRKS_FANOUT_CONFIG"
CONFIG_FILE_ENV = "QUIRKS_FANOUT_CONFIG_FILE"
CONFIG_SSM_ENV = "QUIRKS_FANOUT_CONFIG_SSM"

TargetType = Literal["lambda", "sqs", "sns", "eventbridge", "kinesis"]
TARGET_TYPES: tuple[TargetType, ...] = ("lambda", "sqs", "sns", "eventbridge", "kinesis")
Format = Literal["lambda-event", "record"]
Mode = Literal["divert", "block"]

_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_TOP_KEYS = {"targets", "claim_check", "checkpoint_table", "concurrency", "failure_destination"}
_TARGET_KEYS = {
    "id",
    "type",
    "destination",
    "filter",
    "format",
    "on_failure",
    "source",
    "detail_type",
    "max_attempts",
    "max_message_bytes",
}
_SQS_ARN = re.compile(r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$")


@dataclass(frozen=True)
class OnFailure:
    """What happens to records a target could not take after its retries."""

    mode: Mode = "divert"
    destination: str | None = None  # SQS queue URL or ARN, or s3://bucket/prefix (divert mode)


@dataclass(frozen=True)
class Target:
    """One consumer of the stream."""

    id: str
    type: TargetType
    destination: str
    filter: FilterSet
    filter_source: Any = None
    format: Format = "lambda-event"
    on_failure: OnFailure = OnFailure()
    source: str = "quirks.fanout"
    detail_type: str = "DynamoDB Stream Record"
    max_attempts: int = 4
    max_message_bytes: int | None = None  # the topic's or queue's configured maximum


@dataclass(frozen=True)
class FanoutConfig:
    """The whole configuration."""

    targets: tuple[Target, ...]
    claim_check: str | None = None  # s3://bucket/prefix
    checkpoint_table: str | None = None
    concurrency: int = 8
    failure_destination: str | None = None
    """The top-level ``failure_destination``: also where records the dispatcher cannot read go."""

    def target(self, target_id: str) -> Target:
        """The target with this id."""
        for target in self.targets:
            if target.id == target_id:
                return target
        raise KeyError(target_id)


def failure_queue(owner: str, destination: str) -> Target:
    """An SQS failure destination as a target of its own, ``<owner>-failures``, receiving every
    record sent to it: diverted batches travel through the same send seam and retries as
    deliveries. ``owner`` is the target whose records are diverted (or ``unreadable``)."""
    return Target(id=f"{owner}-failures", type="sqs", destination=destination, filter=FilterSet(()))


def _fail(where: str, problem: str, fix: str) -> ConfigurationError:
    return ConfigurationError(f"fan-out config: {where}: {problem}", fix)


def _field_error(path: str, problem: str) -> ConfigurationError:
    name = path.rsplit(".", 1)[-1]
    fix = f"add {name!r}" if problem == MISSING else "fix the value (see docs/fanout.md)"
    return _fail(path, problem, fix)


_FIELDS = Fields(_field_error)


def _text(data: Mapping[str, Any], name: str, prefix: str, *, required: bool = True) -> str | None:
    """A non-empty string field (``None`` when optional and absent)."""
    if required:
        value: str | None = _FIELDS.require(data, name, prefix, str)
    else:
        value = _FIELDS.optional(data, name, prefix, str)
    if value == "":
        raise _FIELDS.fail(f"{prefix}{name}", "must not be empty")
    return value


def _failure_destination(value: str, where: str) -> str:
    if S3Uri.is_s3(value):
        try:
            S3Uri.parse(value)
        except UserError as exc:
            raise _fail(where, exc.message, "write it as s3://bucket/prefix") from None
        return value
    if value.startswith(("https://", "http://")) and "/" in value.split("://", 1)[1]:
        return value
    if _SQS_ARN.match(value):
        return value
    raise _fail(
        where, f"{value!r} is neither an SQS queue URL or ARN nor s3://...", "use one of those"
    )


def _on_failure(raw: Any, where: str, default_destination: str | None) -> OnFailure:
    raw = _FIELDS.mapping({} if raw is None else raw, where)
    _FIELDS.only_keys(raw, ("mode", "destination"), f"{where}.")
    mode = raw.get("mode", "divert")
    if mode not in ("divert", "block"):
        raise _fail(f"{where}.mode", f"must be 'divert' or 'block', got {mode!r}", "pick one")
    destination = _text(raw, "destination", f"{where}.", required=False) or default_destination
    if destination is not None:
        destination = _failure_destination(destination, f"{where}.destination")
    elif mode == "divert":
        raise _fail(
            f"{where}.destination",
            "is required for mode 'divert'",
            "give an SQS queue URL or ARN, or s3://bucket/prefix (or a top-level failure_destination)",
        )
    return OnFailure(mode=cast("Mode", mode), destination=destination)


def _target(raw: Any, index: int, default_destination: str | None) -> Target:
    raw = _FIELDS.mapping(raw, f"targets[{index}]")
    target_id = _text(raw, "id", f"targets[{index}].")
    assert target_id is not None
    if not _ID.match(target_id):
        raise _fail(
            f"targets[{index}].id", f"{target_id!r} is not 1-64 of A-Z a-z 0-9 _ . -", "rename it"
        )
    where = f"targets[{target_id}]"
    prefix = f"{where}."
    _FIELDS.only_keys(raw, _TARGET_KEYS, prefix)
    kind = _text(raw, "type", prefix)
    if kind not in TARGET_TYPES:
        raise _fail(f"{where}.type", f"{kind!r} is not one of {list(TARGET_TYPES)}", "pick one")
    destination = _text(raw, "destination", prefix)
    assert destination is not None
    fmt = raw.get("format", "lambda-event")
    if fmt not in ("lambda-event", "record"):
        raise _fail(f"{where}.format", f"{fmt!r} is not 'lambda-event' or 'record'", "pick one")
    try:
        compiled = compile_filters(raw.get("filter"), "filter")
    except FilterError as exc:
        raise _fail(f"{where}.{exc.field}", exc.problem, "see the filter rules in docs") from None
    attempts = _FIELDS.integer(raw, "max_attempts", prefix, low=1, high=20, default=4)
    max_bytes = _FIELDS.optional(raw, "max_message_bytes", prefix, int)
    if max_bytes is not None and (
        kind not in ("sns", "sqs") or not 1024 <= max_bytes <= SNS_MAX_MESSAGE_BYTES
    ):
        raise _fail(
            f"{where}.max_message_bytes",
            f"only SNS and SQS targets take it, as 1024..{SNS_MAX_MESSAGE_BYTES}; got {max_bytes!r}",
            "set it to the topic's or queue's configured maximum, or remove it",
        )
    return Target(
        id=target_id,
        type=cast("TargetType", kind),
        destination=destination,
        filter=compiled,
        filter_source=raw.get("filter"),
        format=cast("Format", fmt),
        on_failure=_on_failure(raw.get("on_failure"), f"{where}.on_failure", default_destination),
        source=_text(raw, "source", prefix, required=False) or "quirks.fanout",
        detail_type=_text(raw, "detail_type", prefix, required=False) or "DynamoDB Stream Record",
        max_attempts=attempts,
        max_message_bytes=max_bytes,
    )


def parse_config(data: Any) -> FanoutConfig:
    """Validate a decoded configuration document."""
    data = _FIELDS.mapping(data, "config")
    _FIELDS.only_keys(data, _TOP_KEYS, "")
    raw_targets = _FIELDS.require(data, "targets", "", list)
    if not raw_targets:
        raise _fail("targets", "must be a non-empty list", "add at least one target")
    default_destination = _text(data, "failure_destination", "", required=False)
    targets = tuple(_target(raw, i, default_destination) for i, raw in enumerate(raw_targets))
    seen: set[str] = set()
    for target in targets:
        if target.id in seen:
            raise _fail(f"targets[{target.id}].id", "is used twice", "give each target its own id")
        seen.add(target.id)
    claim_check = None
    if data.get("claim_check") is not None:
        raw_claim = _FIELDS.mapping(data["claim_check"], "claim_check")
        _FIELDS.only_keys(raw_claim, ("s3",), "claim_check.")
        claim_check = _text(raw_claim, "s3", "claim_check.")
        assert claim_check is not None
        if not S3Uri.is_s3(claim_check):
            raise _fail(
                "claim_check.s3", f"{claim_check!r} is not s3://...", "use s3://bucket/prefix"
            )
    table = _text(data, "checkpoint_table", "", required=False)
    blocking = [t.id for t in targets if t.on_failure.mode == "block"]
    if blocking and table is None:
        raise _fail(
            f"targets[{blocking[0]}].on_failure.mode",
            "'block' needs a checkpoint_table",
            "add checkpoint_table (a DynamoDB table, see docs/fanout.md)",
        )
    concurrency = _FIELDS.integer(data, "concurrency", "", low=1, high=64, default=8)
    if default_destination is not None:
        default_destination = _failure_destination(default_destination, "failure_destination")
    return FanoutConfig(targets, claim_check, table, concurrency, default_destination)


def decode_config(text: str, where: str, *, yaml: bool = False) -> Any:
    """Decode a configuration document (JSON, or YAML with PyYAML), bounded in depth."""
    if yaml:
        try:
            import yaml as pyyaml  # type: ignore[import-untyped]
        except ImportError:
            raise _fail(where, "YAML needs PyYAML", "pip install pyyaml, or use JSON") from None
        try:
            value = pyyaml.safe_load(text)
            # PyYAML composes recursively: a deep document overflows the stack before we see it.
        except RecursionError:
            raise _fail(where, "is nested too deeply", "fix the structure") from None
        except pyyaml.YAMLError as exc:
            raise _fail(where, f"is not valid YAML: {exc}", "fix the syntax") from None
        try:
            jsonsafe.check_value_depth(value, where)
        except FormatError as exc:
            raise _fail(where, exc.problem, "fix the structure") from None
        return value
    try:
        return jsonsafe.loads(text, where)
    except FormatError as exc:
        problem = exc.problem.replace("is not JSON", "is not valid JSON")
        raise _fail(where, problem, "fix the syntax") from None


def load_file(path: str | Path) -> FanoutConfig:
    """Load and validate a JSON (or YAML) configuration file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(str(file), f"cannot be read: {exc.strerror}", "check the path") from None
    return parse_config(decode_config(text, str(file), yaml=file.suffix in (".yaml", ".yml")))
