"""Rotating log files in the data folder. Never personal data.

What may be logged: record uids and local ids, staff codes, counts, timings,
exception types and stack traces of our own code. What may not: names, ID or
phone numbers, addresses, notes, PINs, keys, tokens. The filter below is a
second line of defence that scrubs anything shaped like an ID or phone
number from every record before it is written.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

_PII = [
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), "<id-number>"),
    (re.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])"), "<credit-code>"),
    (re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)"), "<mobile>"),
]


def scrub(text: str) -> str:
    """Replace anything shaped like an ID, credit code or mobile number."""
    for pattern, repl in _PII:
        text = pattern.sub(repl, text)
    return text


class PiiScrubber(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        record.msg = scrub(message)
        record.args = None
        return True


class ScrubbingFormatter(logging.Formatter):
    """Scrubs the whole written line, the traceback of ``log.exception`` included: a formatter
    renders the exception after filters have run, so a filter alone never sees it (an error whose
    text held a phone number reached the log that way)."""

    def formatException(self, ei) -> str:
        return scrub(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return scrub(super().formatStack(stack_info))

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def setup_logging(data_dir: Path, *, verbose: bool = False) -> Path:
    """Log to ``<data_dir>/logs/branchdesk.log`` (5 x 2 MB). Returns the file path.

    The data folder must exist: logging never creates it (a mistyped ``--data-dir`` given to
    a reading command must leave nothing behind). Raises OSError when it cannot log there."""
    if not data_dir.is_dir():
        raise FileNotFoundError(data_dir)
    log_dir = data_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    path = log_dir / "branchdesk.log"
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_branchdesk", False):
            root.removeHandler(h)
            h.close()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler._branchdesk = True  # type: ignore[attr-defined]
    handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    handler.addFilter(PiiScrubber())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return path
