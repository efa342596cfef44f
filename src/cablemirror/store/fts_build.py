"""Building the full-text index of a bulk import beside it, in a thread (SQLite store).

Why: tokenizing and indexing the text is about 40% of what storing a cable costs,
and SQLite has one writer per database file.  Inside ``defer_search_index()`` on a
store that holds no cable yet (a first import), the writer hands each committed batch's
text to an ``IndexBuilder``: a thread with its own connection to a scratch database
file (``<db>.fts-build``, no journal: it is thrown away on any failure) holding an
FTS5 table of the very same definition and settings.  SQLite releases the GIL while
it indexes, so this runs on the second core beside the writer's Python work.  When
the import ends, the scratch index's shadow tables (``_data``, ``_idx``, ``_docsize``:
the index itself, in FTS5's format, which does not depend on the table's location)
replace the store's, in one transaction on a fresh connection.  Every connection
notices the change (FTS5 re-reads its structure when the file changed under it).

The copy is checked before it replaces anything: the scratch index must hold exactly
the stored cables' keys.  Anything unexpected (an error in the thread, a mismatch)
makes the caller fall back to the ordinary one-pass ``rebuild``.
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
from pathlib import Path
from typing import Any, Sequence

log = logging.getLogger(__name__)

FTS = "cables_fts"
SHADOWS = ("data", "idx", "docsize")
_QUEUE_BATCHES = 8  # batches waiting for the thread: bounds memory, slows the writer when behind
_STOP = None


class BuildFailed(Exception):
    """The scratch index cannot be used (the caller rebuilds instead)."""


def scratch_path(db: Path) -> Path:
    return db.with_name(db.name + ".fts-build")


class IndexBuilder:
    """See the module docstring.  ``add`` and ``remove`` are called by the writer
    after each commit; ``install`` once at the end; ``discard`` on any other way out."""

    def __init__(self, db: Path, definition: str, settings: list[tuple[str, Any]]) -> None:
        self.db = db
        self.path = scratch_path(db)
        self._remove_files()
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=_QUEUE_BATCHES)
        self._error: BaseException | None = None
        self.rows = 0
        conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA cache_size = -65536")
            conn.execute(definition)
            # Which version of each cable the scratch index holds, checked against the store.
            conn.execute("CREATE TABLE indexed (key INTEGER PRIMARY KEY, version_id INTEGER NOT NULL)")
            for key, value in settings:
                conn.execute(f"INSERT INTO {FTS}({FTS}, rank) VALUES (?, ?)", (key, value))
            conn.execute("BEGIN")
        except BaseException:
            conn.close()
            self._remove_files()
            raise
        self._conn = conn
        self._thread = threading.Thread(target=self._run, name="cablemirror-fts-build", daemon=True)
        self._thread.start()

    @classmethod
    def for_store(cls, conn: sqlite3.Connection, db: Path) -> "IndexBuilder | None":
        """A builder for the store ``conn`` writes, when it holds no cable yet (else
        None: a rebuild must index what is already stored too)."""
        if conn.execute(f"SELECT EXISTS (SELECT 1 FROM cables) OR EXISTS (SELECT 1 FROM {FTS}_docsize)").fetchone()[0]:
            return None
        definition = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (FTS,)).fetchone()[0]
        settings = conn.execute(f"SELECT k, v FROM {FTS}_config WHERE k != 'version'").fetchall()
        return cls(db, definition, settings)

    # ------------------------------------------------------------------ the writer's side

    def add(self, rows: Sequence[tuple[int, str, str, str, str]], versions: Sequence[tuple[int, int]]) -> None:
        """Index (key, title, subject, body, tags) rows of committed cables, whose
        current versions are ``versions`` ((key, version_id))."""
        if rows:
            self._put(("insert", list(rows), list(versions)))

    def remove(self, rows: Sequence[tuple[int, str, str, str, str]]) -> None:
        """Take committed cables out with the values they were indexed with."""
        if rows:
            self._put(("delete", list(rows), []))

    def _put(self, item: Any) -> None:
        if self._error is not None:
            return  # failed already: install() reports it
        while True:
            try:
                self._queue.put(item, timeout=1.0)
                return
            except queue.Full:
                if not self._thread.is_alive():
                    return

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        conn = self._conn
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                kind, rows, versions = item
                if kind == "insert":
                    conn.executemany(
                        f"INSERT INTO {FTS}(rowid, title, subject, body, tags) VALUES (?, ?, ?, ?, ?)", rows
                    )
                    conn.executemany("INSERT OR REPLACE INTO indexed(key, version_id) VALUES (?, ?)", versions)
                    self.rows += len(rows)
                else:
                    conn.executemany(
                        f"INSERT INTO {FTS}({FTS}, rowid, title, subject, body, tags) VALUES ('delete', ?, ?, ?, ?, ?)",
                        rows,
                    )
                    self.rows -= len(rows)
            conn.execute("COMMIT")
        except BaseException as exc:  # reported by install(); the writer never waits on a dead thread
            self._error = exc
            while True:  # unblock a writer waiting on a full queue
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break

    # ------------------------------------------------------------------ the end

    def _finish(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self._conn.close()

    def install(self, open_connection: Any) -> None:
        """Wait for the thread, check the scratch index and make it the store's (in one
        transaction of a new connection from ``open_connection()``); BuildFailed when it
        cannot be used.  The scratch file is removed either way."""
        try:
            self._finish()
            if self._error is not None:
                raise BuildFailed(f"indexing failed: {self._error}")
            conn = open_connection()
            try:
                conn.execute("ATTACH DATABASE ? AS fts_build", (str(self.path),))
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        self._check(conn)
                        for shadow in SHADOWS:  # same definition: a page-level copy
                            conn.execute(f"DELETE FROM main.{FTS}_{shadow}")
                            conn.execute(f"INSERT INTO main.{FTS}_{shadow} SELECT * FROM fts_build.{FTS}_{shadow}")
                        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('search_index', 'ok')")
                        conn.execute("COMMIT")
                    except BaseException:
                        if conn.in_transaction:
                            conn.execute("ROLLBACK")
                        raise
                finally:
                    conn.execute("DETACH DATABASE fts_build")
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise BuildFailed(str(exc)) from None
        finally:
            self._remove_files()

    def _check(self, conn: sqlite3.Connection) -> None:
        """The scratch index holds exactly the current version of every stored cable
        (another process may have written meanwhile), and the store's is still empty."""
        stored, indexed, documents, other, live = conn.execute(
            "SELECT (SELECT count(*) FROM main.cables), (SELECT count(*) FROM fts_build.indexed), "
            f"(SELECT count(*) FROM fts_build.{FTS}_docsize), "
            "(SELECT count(*) FROM main.cables c LEFT JOIN fts_build.indexed i ON i.key = c.key "
            " WHERE i.version_id IS NOT c.version_id), "
            f"(SELECT EXISTS (SELECT 1 FROM main.{FTS}_docsize))"
        ).fetchone()
        if live:
            raise BuildFailed("the store's index is no longer empty")
        if not stored == indexed == documents or other:
            raise BuildFailed(
                f"the scratch index holds {documents} cables ({indexed} listed), the store {stored} "
                f"({other} not indexed or in another version)"
            )

    def discard(self) -> None:
        try:
            self._finish()
        except Exception:  # pragma: no cover - best effort on the way out
            log.debug("discarding the scratch index", exc_info=True)
        self._remove_files()

    def _remove_files(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.remove(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError:  # pragma: no cover
                log.warning("cannot remove %s%s", self.path, suffix)
