-- cablemirror SQLite schema, version 4 (PRAGMA user_version).  See store/sqlite.py;
-- store/migrate.py upgrades older files in place.
-- Cable ids are the release's reference ids (e.g. 05ALMATY2985); cables.canon and
-- refs.dst_key hold canonical ids (cables.ids.canonical_id), which link them.

-- application, schema_version, created_at, sqlite_version, search_index ("stale"
-- while an import with deferred indexing has cables the FTS index does not have yet),
-- and generation: a counter every write transaction bumps (read caches key on it).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per cable: its current version, the columns pages filter, sort and facet on,
-- and the current record (Cable.to_dict()): its body as text, and the rest of its JSON
-- compressed (store/records.py).
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
    record_z       BLOB NOT NULL,            -- zlib(JSON of the record with "body": "")
    canon          TEXT NOT NULL DEFAULT '', -- canonical_id(id): how references find the cable
    generated      INTEGER NOT NULL DEFAULT 0, -- 0/1: the body carries the demo generator's mark
    body           TEXT NOT NULL DEFAULT ''  -- the record's body
);
CREATE INDEX cables_canon ON cables(canon);

-- What queries filter, sort and facet on, one narrow row per cable (key = cables.key):
-- counting facets over 100,000 matches reads a few MB here instead of the wide
-- cables rows.  origin and class are label ids.
CREATE TABLE facts (
    key       INTEGER PRIMARY KEY,
    created   TEXT,
    released  TEXT,
    year      INTEGER,
    origin    INTEGER,
    class     INTEGER,
    generated INTEGER NOT NULL
);
CREATE INDEX facts_created ON facts(created);
CREATE INDEX facts_released ON facts(released, created);
CREATE INDEX facts_origin ON facts(origin, created);
CREATE INDEX facts_class ON facts(class, created);
CREATE INDEX facts_groups ON facts(year, origin, class);
CREATE INDEX facts_generated ON facts(key) WHERE generated;

-- The facet counts of the whole collection, kept current by every write: the browse
-- pages (the empty query) read them instead of counting 250,000 rows.  facet is
-- origin | year | classification | tag, or 'cables' (value '') for the number of cables.
CREATE TABLE totals (
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (facet, value)
) WITHOUT ROWID;

-- The distinct origins and classifications (never deleted: ids stay valid).  norm is
-- what queries compare: the folded words of an origin (origin:almaty), the canonical
-- classification (class:secret; '' when the query language cannot name it).
CREATE TABLE labels (
    label_id INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,                  -- 'origin' | 'class'
    value    TEXT NOT NULL,
    norm     TEXT NOT NULL,
    UNIQUE (kind, value)
);

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
    record_z      BLOB,                      -- zlib(JSON of this version); NULL while current (see cables)
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
    dst_key  TEXT,                           -- canonical_id(dst): compared with cables.canon
    PRIMARY KEY (src, position)
) WITHOUT ROWID;
CREATE INDEX refs_dst_key ON refs(dst_key, src) WHERE dst_key IS NOT NULL;

-- Tags and captions of current records as queries compare them (upper case, each
-- once per cable), by cable key.
CREATE TABLE tags (
    key      INTEGER NOT NULL,
    tag      TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (key, tag)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags(tag);

CREATE TABLE captions (
    key      INTEGER NOT NULL,
    caption  TEXT NOT NULL,
    PRIMARY KEY (key, caption)
) WITHOUT ROWID;
CREATE INDEX captions_caption ON captions(caption);

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
-- view (the body is stored once, in cables.body); the store keeps the index in sync.
CREATE VIEW cables_fts_content AS
    SELECT key, title, subject, body, tags FROM cables;
CREATE VIRTUAL TABLE cables_fts USING fts5(
    title, subject, body, tags,
    content = 'cables_fts_content',
    content_rowid = 'key',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO cables_fts(cables_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0, 3.0)');
-- A batch's terms are written as one segment at commit instead of one per MiB: fewer merges.
INSERT INTO cables_fts(cables_fts, rank) VALUES ('hashsize', 67108864);
