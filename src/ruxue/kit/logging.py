"""structlog set-up; ID numbers that reach a log line are masked by a processor."""

import logging
import re
from collections.abc import MutableMapping
from typing import Any

import structlog

ID_PATTERN = re.compile(r"\b(\d{6})(\d{8})(\d{3}[\dXx])\b")


def _mask_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = ID_PATTERN.sub(r"\1********\3", value)
    return event


def configure_logging(json: bool = False, level: int = logging.INFO) -> None:
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            _mask_ids,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )
