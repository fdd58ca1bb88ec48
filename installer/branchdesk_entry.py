"""Entry script of the frozen app (both ``BranchDesk.exe`` and ``branchdesk-cli.exe``).

PyInstaller needs a script file; ``app/__main__.py`` would put ``app/`` on the
analysis path, where ``app/resources.py`` would shadow the top-level
``resources`` package. So the frozen executables start here instead.

The windowed Windows executable has no console: PyInstaller then sets
``sys.stdout`` and ``sys.stderr`` to ``None``, and any ``print`` or logging
stream handler would raise. Point them at the null device instead.
"""

from __future__ import annotations

import os
import sys


def _ensure_streams() -> None:
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


if __name__ == "__main__":
    _ensure_streams()
    from app.__main__ import main

    sys.exit(main())
