"""structlog JSON logs for every service, with stdlib loggers (aiokafka, FastStream,
uvicorn) rendered the same way so one process writes one log format."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Literal

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger


def _add_service(service: str) -> Processor:
    def processor(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return processor


class RepeatLimiter(logging.Filter):
    """Lets one record of a kind through per ``window`` seconds; the next one after the
    window says how many were held back (``repeats_suppressed``).

    A kind is a logger and its message template. While the broker is away aiokafka
    logs the same connection error hundreds of times a second per client, which
    buries the service's own "Kafka unreachable" line and floods the log pipeline.
    """

    def __init__(
        self, prefix: str, window: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._prefix = prefix
        self._window = window
        self._clock = clock
        self._kinds: dict[tuple[str, object], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self._prefix):
            return True
        kind = (record.name, record.msg)
        now = self._clock()
        shown_at, held = self._kinds.get(kind, (float("-inf"), 0))
        if now - shown_at < self._window:
            self._kinds[kind] = (shown_at, held + 1)
            return False
        if held:
            record.repeats_suppressed = held
        if len(self._kinds) > 1_000:  # message templates are few; stay bounded anyway
            self._kinds.clear()
        self._kinds[kind] = (now, 0)
        return True


def configure_logging(
    service: str,
    level: str = "INFO",
    fmt: Literal["auto", "json", "console"] = "auto",
) -> None:
    """JSON lines on stdout unless stdout is a terminal (or ``fmt`` says otherwise)."""
    use_console = fmt == "console" or (fmt == "auto" and sys.stdout.isatty())
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_service(service),
    ]
    renderer: Processor = (
        structlog.dev.ConsoleRenderer() if use_console else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *([] if use_console else [structlog.processors.format_exc_info]),
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    handler.addFilter(RepeatLimiter("aiokafka"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # aiokafka narrates every group rebalance step at INFO; keep its warnings and errors.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
