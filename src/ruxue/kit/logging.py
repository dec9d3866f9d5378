"""structlog set-up; ID numbers that reach a log line are masked by a processor."""

import copy
import logging
import re
from collections.abc import MutableMapping
from typing import Any

import structlog

ID_PATTERN = re.compile(r"\b(\d{6})(\d{8})(\d{3}[\dXx])\b")


def _mask_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = mask_ids(value)
    return event


def mask_ids(text: str) -> str:
    return ID_PATTERN.sub(r"\1********\3", text)


class MaskIds(logging.Filter):
    """Masks ID numbers in stdlib log records (uvicorn's access log: paths and query strings)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_ids(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_ids(a) if isinstance(a, str) else a for a in record.args)
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration with ``MaskIds`` on its handlers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"mask_ids": {"()": MaskIds}}
    for handler in config["handlers"].values():
        handler["filters"] = ["mask_ids"]
    return config


def configure_logging(json: bool = False, level: int = logging.INFO) -> None:
    """A traceback is made plain text (no frame locals) before the masking, so it is masked too.
    The console renderer's default (rich, with every frame's locals) printed ID numbers from
    request bodies and sessions in clear, and took seconds of CPU per traceback on the event loop
    (the fault run: the app stopped answering after a database outage)."""
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            _mask_ids,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )
