"""One log format for every service. Log lines carry ids and counts, never a member's data.

`ORGANISING_LOG_FORMAT=json` (the default: one JSON object a line, for log collectors) or
`text` (`make run` uses it); `ORGANISING_LOG_LEVEL` (INFO). See `observability.logs`.
"""

from __future__ import annotations

import logging
import os

from organising_shared.observability.logs import ContextFilter, formatter_for


def configure_logging(level: str | None = None, log_format: str | None = None) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(formatter_for((log_format or os.environ.get("ORGANISING_LOG_FORMAT", "json")).strip().lower()))
    handler.addFilter(ContextFilter())
    logging.basicConfig(level=(level or os.environ.get("ORGANISING_LOG_LEVEL", "INFO")).upper(), handlers=[handler], force=True)
