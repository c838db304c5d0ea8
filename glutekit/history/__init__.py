"""Session history: a SQLite record of every session, what it completed, and pain scores.

The database lives in the user data folder (``$GLUTEKIT_DATA_DIR`` overrides it).
:mod:`glutekit.history.db` opens and migrates it and recovers from corruption,
:mod:`glutekit.history.recorder` writes a session as it plays,
:mod:`glutekit.history.stats` summarises it and :mod:`glutekit.history.plot` draws it.
"""

from __future__ import annotations

from glutekit.history.db import (
    DB_NAME,
    ENV_DATA_DIR,
    HistoryDB,
    HistoryUnavailable,
    data_dir,
    default_path,
)

__all__ = [
    "DB_NAME",
    "ENV_DATA_DIR",
    "HistoryDB",
    "HistoryUnavailable",
    "data_dir",
    "default_path",
]
