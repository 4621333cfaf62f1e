"""Fan-out for DynamoDB Streams: one reader, many consumers, nothing lost.

* :mod:`~quirks.fanout.config` — the configuration, validated at cold start;
* :mod:`~quirks.fanout.filters` — Lambda event filtering patterns (pure, reused for ESM filters);
* :mod:`~quirks.fanout.chunking` — per-target size and count limits (pure);
* :mod:`~quirks.fanout.dispatcher` — parallel delivery, retries, divert/block semantics;
* :mod:`~quirks.fanout.targets`, :mod:`~quirks.fanout.claimcheck`, :mod:`~quirks.fanout.divert`,
  :mod:`~quirks.fanout.checkpoint` — the AWS adapters;
* :mod:`~quirks.fanout.handler` — ``lambda_handler`` behind the stream's only event source mapping.

See ``docs/fanout.md`` for the guarantees.
"""

from quirks.fanout.claimcheck import is_claim_check, resolve_claim_check
from quirks.fanout.config import FanoutConfig, OnFailure, Target, load_config, parse_config
from quirks.fanout.dispatcher import Dispatcher, DispatchResult, TargetReport
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
    "compile_filter_criteria",
    "compile_filters",
    "compile_pattern",
    "is_claim_check",
    "load_config",
    "parse_config",
    "resolve_claim_check",
]
