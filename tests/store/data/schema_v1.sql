-- Schema 1 of the SQLite store, frozen as released (commit 96f402e), to build old stores in
-- tests/store/test_migrate.py.  Do not edit: it is what older cablemirror versions wrote.
-- cablemirror SQLite schema, version 1 (PRAGMA user_version).  See store/sqlite.py.
-- Cable ids are the canonical reference ids (e.g. 05ALMATY2985).

-- application, schema_version, created_at, sqlite_version, and search_index: "stale"
-- while an import with deferred indexing has cables the FTS index does not have yet.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per cable: its current version, the columns pages filter, sort and facet on,
-- and the current record (Cable.to_dict() as JSON).
CREATE TABLE cables (
    key            INTEGER PRIMARY KEY,      -- rowid, shared with cables_fts
    id             TEXT NOT NULL UNIQUE,
    version_id     INTEGER NOT NULL,         -- current version (versions.version_id)
    n_versions     INTEGER NOT NULL,
    format         TEXT NOT NULL,            -- source format of the current version
    created        TEXT,                     -- ISO 8601
    released       TEXT,
    year           INTEGER,
    month          INTEGER,
    day            INTEGER,
    origin         TEXT,
    classification TEXT,
    subject        TEXT NOT NULL,
    title          TEXT NOT NULL,
    tags           TEXT NOT NULL,            -- space separated, as indexed
    partial        INTEGER NOT NULL,         -- 0/1
    has_header     INTEGER NOT NULL,         -- 0/1
    n_paragraphs   INTEGER NOT NULL,
    n_references   INTEGER NOT NULL,
    redactions     INTEGER NOT NULL,
    body_length    INTEGER NOT NULL,
    record         TEXT NOT NULL             -- JSON
);
CREATE INDEX cables_created ON cables(created);
CREATE INDEX cables_year ON cables(year, month, day);
CREATE INDEX cables_origin ON cables(origin, created);
CREATE INDEX cables_classification ON cables(classification, created);

-- One row per distinct raw record (by sha256 of its bytes).
CREATE TABLE versions (
    version_id    INTEGER PRIMARY KEY,
    cable_id      TEXT NOT NULL,
    sha256        TEXT NOT NULL UNIQUE,
    collection    TEXT NOT NULL,
    format        TEXT NOT NULL,
    path          TEXT NOT NULL,
    offset        INTEGER NOT NULL,
    length        INTEGER NOT NULL,
    line          INTEGER NOT NULL,
    imported_at   TEXT NOT NULL,             -- ISO 8601 UTC
    released      TEXT,
    release_label TEXT,
    release_seq   INTEGER NOT NULL,          -- running count of the release label, 0 if none
    completeness  INTEGER NOT NULL,          -- store/completeness.py
    record_z      BLOB,                      -- zlib(JSON of this version); NULL while current (see cables.record)
    raw_z         BLOB NOT NULL              -- zlib(the exact source bytes)
);
CREATE INDEX versions_cable ON versions(cable_id);

-- References of current records; dst may name a cable that is not stored.
CREATE TABLE refs (
    src      TEXT NOT NULL,
    position INTEGER NOT NULL,
    bullet   TEXT,
    value    TEXT NOT NULL,
    kind     TEXT NOT NULL,
    dst      TEXT,
    PRIMARY KEY (src, position)
) WITHOUT ROWID;
CREATE INDEX refs_dst ON refs(dst) WHERE dst IS NOT NULL;

CREATE TABLE tags (
    cable    TEXT NOT NULL,
    position INTEGER NOT NULL,
    tag      TEXT NOT NULL,
    PRIMARY KEY (cable, position)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags(tag);

-- The paragraphs' text is in the record (twice: body and paragraphs); here what can
-- be queried without it: numbers and portion markings.
CREATE TABLE paragraphs (
    cable     TEXT NOT NULL,
    position  INTEGER NOT NULL,              -- 0-based order in the record
    number    INTEGER,                       -- NULL for text before paragraph 1
    marking   TEXT,
    cut_short INTEGER NOT NULL,
    length    INTEGER NOT NULL,              -- characters of text
    PRIMARY KEY (cable, position)
) WITHOUT ROWID;

CREATE TABLE quarantine (
    qid              INTEGER PRIMARY KEY,
    sha256           TEXT NOT NULL UNIQUE,
    collection       TEXT NOT NULL,
    format           TEXT NOT NULL,
    path             TEXT NOT NULL,
    offset           INTEGER NOT NULL,
    length           INTEGER NOT NULL,
    line             INTEGER NOT NULL,
    reason           TEXT NOT NULL,
    first_seen       TEXT NOT NULL,
    last_seen        TEXT NOT NULL,
    resolved_version INTEGER,                -- the version that now holds these bytes
    resolved_at      TEXT,
    raw_z            BLOB NOT NULL
);

-- Resumable imports: one row per file path, for its latest fingerprint.
CREATE TABLE imports (
    path        TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    offset      INTEGER NOT NULL,            -- bytes fully stored; -1 = complete
    updated_at  TEXT NOT NULL
);

-- Full text over the current records.  External content: the text is read from the
-- view (the body lives once, inside cables.record); the store keeps the index in sync.
CREATE VIEW cables_fts_content AS
    SELECT key, title, subject, json_extract(record, '$.body') AS body, tags FROM cables;
CREATE VIRTUAL TABLE cables_fts USING fts5(
    title, subject, body, tags,
    content = 'cables_fts_content',
    content_rowid = 'key',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO cables_fts(cables_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0, 3.0)');
-- A batch's terms are written as one segment at commit instead of one per MiB: fewer merges.
INSERT INTO cables_fts(cables_fts, rank) VALUES ('hashsize', 67108864);
