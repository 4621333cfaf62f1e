"""Build the fan-out's objects from the environment: the one composition root.

:func:`load_config` finds the configuration (inline, a file, or an SSM parameter read through
Powertools' parameters utility with our client) and :func:`build_dispatcher` wires the dispatcher,
its checkpoint store and each SQS target's queue limit, all on one
:class:`~quirks.aws.ClientFactory`. No side effects at import: ``quirks.fanout.handler`` calls it on
its first invocation.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from quirks import aws
from quirks.errors import ConfigurationError
from quirks.fanout.checkpoint import CheckpointStore
from quirks.fanout.config import (
    CONFIG_ENV,
    CONFIG_FILE_ENV,
    CONFIG_SSM_ENV,
    FanoutConfig,
    decode_config,
    load_file,
    parse_config,
)
from quirks.fanout.dispatcher import Dispatcher
from quirks.fanout.targets import with_queue_limits
from quirks.parameters import Parameters

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["build_dispatcher", "load_config"]


def _parameter(name: str, clients: aws.ClientFactory) -> str:
    """An SSM parameter's value, decrypted (``SecureString``), read when the config is loaded."""
    return Parameters(clients).ssm(
        name,
        what="the fan-out config",
        fix="check the name, and that the function may call ssm:GetParameter (and kms:Decrypt)",
    )


def load_config(
    environ: Mapping[str, str], *, clients: aws.ClientFactory | None = None
) -> FanoutConfig:
    """Load the configuration from the environment; the first source set wins:

    1. ``QUIRKS_FANOUT_CONFIG``: the JSON document inline;
    2. ``QUIRKS_FANOUT_CONFIG_FILE``: a path to a JSON (or YAML) file;
    3. ``QUIRKS_FANOUT_CONFIG_SSM``: the name of an SSM parameter holding the JSON (decrypted).

    Raises :class:`~quirks.errors.ConfigurationError` naming the target and field.
    """
    if environ.get(CONFIG_ENV):
        return parse_config(decode_config(environ[CONFIG_ENV], CONFIG_ENV))
    if environ.get(CONFIG_FILE_ENV):
        return load_file(environ[CONFIG_FILE_ENV])
    if environ.get(CONFIG_SSM_ENV):
        name = environ[CONFIG_SSM_ENV]
        text = _parameter(name, clients or aws.current())
        return parse_config(decode_config(text, f"SSM parameter {name}"))
    raise ConfigurationError(
        "no fan-out configuration",
        f"set {CONFIG_ENV} (JSON), {CONFIG_FILE_ENV} (path) or {CONFIG_SSM_ENV} (SSM parameter)",
    )


def build_dispatcher(
    environ: Mapping[str, str] | None = None, *, clients: aws.ClientFactory | None = None
) -> Dispatcher:
    """Load and validate the configuration and build the dispatcher (raises ConfigurationError).

    Every AWS call the dispatcher makes, and the configuration's own SSM read, use ``clients``
    (default: the process-wide factory).
    """
    clients = clients or aws.current()
    environ = os.environ if environ is None else environ
    config = with_queue_limits(load_config(environ, clients=clients), clients=clients)
    checkpoints = (
        CheckpointStore(config.checkpoint_table, clients=clients)
        if config.checkpoint_table
        else None
    )
    return Dispatcher(config, checkpoints=checkpoints, clients=clients)
