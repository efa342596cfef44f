"""Reaching a PostgreSQL store: the ``--db`` URL, connections, and errors a user can act on.

A store URL is a libpq URL with two extra query parameters that cablemirror reads
and removes before libpq sees them:

- ``schema=NAME``: keep the store's tables in this schema (created when missing), so
  one database can hold several stores (the tests use one schema per test);
- ``pool_size=N``: at most N pooled connections per process (default 10).

    postgresql://mirror:secret@db.example.org:5432/cables?schema=mirror&sslmode=require

Everything else (``sslmode``, ``connect_timeout``, ``application_name``, ``options``...)
is libpq's.  Errors carry the URL with the password hidden and what to do.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from .base import StoreError

INSTALL_HINT = "install cablemirror[postgres] (pip install 'cablemirror[postgres]')"
DEFAULT_POOL_SIZE = 10
CONNECT_TIMEOUT = 10  # seconds, unless the URL says otherwise
_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")
_OUR_PARAMS = ("schema", "pool_size")


def shown(url: str) -> str:
    """``url`` with any password hidden (same rule as ``store.resolve_db``)."""
    return _PASSWORD.sub(r"\1***@", url)


def require_psycopg() -> Any:
    """The psycopg module, or a StoreError saying how to install it."""
    try:
        import psycopg
        import psycopg_pool  # noqa: F401 - the store needs both
    except ImportError as exc:
        raise StoreError(f"PostgreSQL support is not installed ({exc.name} is missing): {INSTALL_HINT}") from None
    return psycopg


@dataclass(frozen=True)
class Target:
    """Where the store lives: libpq conninfo plus cablemirror's own settings."""

    url: str  # as given (for messages, through ``shown``)
    conninfo: str  # what libpq gets
    schema: str | None = None
    pool_size: int = DEFAULT_POOL_SIZE
    params: dict[str, str] = field(default_factory=dict)  # libpq's view of conninfo

    @property
    def shown(self) -> str:
        return shown(self.url)

    @property
    def database(self) -> str:
        return self.params.get("dbname") or self.params.get("user") or "(the user's database)"

    @property
    def server(self) -> str:
        host = self.params.get("host") or "the local socket"
        port = self.params.get("port") or "5432"
        return f"{host}:{port}" if not host.startswith("/") else f"{host} (port {port})"

    def connect_kwargs(self, *, readonly: bool) -> dict[str, Any]:
        """Extra libpq parameters: search path and read-only sessions, no JIT (compiling a
        big query costs more than the ~50 ms it runs), a connect timeout."""
        opts = ["-c jit=off"]
        if self.schema:
            opts.append(f"-c search_path={self.schema}")
        if readonly:
            # Every transaction of a read-only store is READ ONLY, whatever the code does.
            opts.append("-c default_transaction_read_only=on")
        extra: dict[str, Any] = {}
        if opts:
            extra["options"] = " ".join(filter(None, [self.params.get("options", ""), *opts]))
        if "connect_timeout" not in self.params:
            extra["connect_timeout"] = CONNECT_TIMEOUT
        return extra


def parse_url(url: str) -> Target:
    """Split a store URL into libpq's conninfo and cablemirror's parameters."""
    psycopg = require_psycopg()
    base, _, fragment_free = url.partition("#")[0].partition("?")
    query = urllib.parse.parse_qsl(fragment_free, keep_blank_values=True)
    ours = {k: v for k, v in query if k in _OUR_PARAMS}
    rest = [(k, v) for k, v in query if k not in _OUR_PARAMS]
    schema = ours.get("schema") or None
    if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
        raise StoreError(
            f"bad schema name {schema!r} in {shown(url)}: use letters, digits and _ (not starting with a digit)"
        )
    pool_size = DEFAULT_POOL_SIZE
    if "pool_size" in ours:
        try:
            pool_size = int(ours["pool_size"])
        except ValueError:
            pool_size = 0
        if not 1 <= pool_size <= 1000:
            raise StoreError(f"bad pool_size {ours['pool_size']!r} in {shown(url)}: a whole number from 1 to 1000")
    # Rebuilt by hand: urlunsplit turns "postgresql:///db" into "postgresql:/db".
    conninfo = base + ("?" + urllib.parse.urlencode(rest, quote_via=urllib.parse.quote) if rest else "")
    try:
        params = psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as exc:
        raise StoreError(f"cannot read the database URL {shown(url)}: {first_line(exc)}") from None
    return Target(url, conninfo, schema, pool_size, {k: str(v) for k, v in params.items() if v is not None})


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


def connection_error(target: Target, exc: BaseException) -> StoreError:
    """A StoreError for a failed connection: what went wrong and what to do."""
    detail = " ".join(str(exc).split())
    low = detail.lower()
    where = target.shown
    if "does not exist" in low and "database" in low:
        return StoreError(
            f"the database {target.database!r} does not exist on {target.server} ({where}): create it first, "
            f"e.g. createdb -h {target.params.get('host', 'localhost')} -p {target.params.get('port', '5432')} "
            f"{target.database}  (or CREATE DATABASE {target.database}; as a PostgreSQL superuser)"
        )
    if any(s in low for s in ("password authentication failed", "no password supplied", "pg_hba.conf",
                              "authentication failed", "role", "permission denied to connect")):
        return StoreError(
            f"PostgreSQL at {target.server} refused the login ({where}): {detail}. Check the user and password "
            "in the URL (or ~/.pgpass), and that pg_hba.conf lets this user reach this database"
        )
    if any(s in low for s in ("connection refused", "could not connect", "timeout expired", "no such file",
                              "could not translate host name", "name or service not known", "network is unreachable",
                              "server closed the connection", "connection timed out")):
        return StoreError(
            f"cannot reach the PostgreSQL server at {target.server} ({where}): {detail}. Is the server running "
            f"and listening there? (pg_isready -h {target.params.get('host', 'localhost')} "
            f"-p {target.params.get('port', '5432')})"
        )
    return StoreError(f"cannot connect to {where}: {detail}")
