"""Fan-out for DynamoDB Streams: one reader, many consumers, nothing lost.

* :mod:`~quirks.fanout.config` — the configuration, validated at cold start;
* :mod:`~quirks.fanout.filters` — Lambda event filtering patterns (pure, reused for ESM filters);
* :mod:`~quirks.fanout.chunking` — per-target size and count limits (pure);
* :mod:`~quirks.fanout.plan` — what each target gets, in how many messages and calls (pure);
* :mod:`~quirks.fanout.dispatcher`, :mod:`~quirks.fanout.delivery` — parallel delivery, retries,
  divert/block semantics;
* :mod:`~quirks.fanout.factory` — the composition root: configuration source and dispatcher;
* :mod:`~quirks.fanout.targets`, :mod:`~quirks.fanout.claimcheck`, :mod:`~quirks.fanout.divert`,
  :mod:`~quirks.fanout.checkpoint` — the AWS adapters;
* :mod:`~quirks.fanout.handler` — ``lambda_handler`` behind the stream's only event source mapping.

See ``docs/fanout.md`` for the guarantees.
"""

from quirks.fanout.claimcheck import is_claim_check, resolve_claim_check
from quirks.fanout.config import FanoutConfig, OnFailure, Target, parse_config
from quirks.fanout.dispatcher import Dispatcher, DispatchResult, TargetReport
from quirks.fanout.factory import build_dispatcher, load_config
from quirks.fanout.filters import (
    FilterError,
    FilterSet,
    Pattern,
    compile_filter_criteria,
    compile_filters,
    compile_pattern,
)

__all__ = [
    "DispatchResult",
    "Dispatcher",
    "FanoutConfig",
    "FilterError",
    "FilterSet",
    "OnFailure",
    "Pattern",
    "Target",
    "TargetReport",
    "build_dispatcher",
    "compile_filter_criteria",
    "compile_filters",
    "compile_pattern",
    "is_claim_check",
    "load_config",
    "parse_config",
    "resolve_claim_check",
]
