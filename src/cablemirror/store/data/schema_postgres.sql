-- cablemirror PostgreSQL schema, version 1 (meta.schema_version).  See store/postgres.py;
-- store/pg_schema.py creates it (in one transaction) and upgrades older schemas in place.
-- Tables mirror the SQLite schema (schema_sqlite.sql); differences are said where they are.
-- Identifiers, dates and keywords use COLLATE "C": byte order, as SQLite compares them,
-- and the only collation under which a btree answers prefix ranges (id:09STATE*).
-- Unknown dates sort first, as in SQLite: the date indexes say NULLS FIRST, so that
-- ORDER BY created NULLS FIRST and created DESC NULLS LAST both read them in order.
-- The statements are separated by lines holding only ";" (pg_schema.statements).

-- Full text: a copy of the simple configuration whose words are stemmed by the Snowball
-- English stemmer, without a stop-word list (the query language drops its own few
-- common words, and a quoted "the" must still be found).  Documents and queries reach
-- PostgreSQL already cut into folded words (store/pg_text.py), so the parser only ever
-- sees words separated by spaces.
CREATE TEXT SEARCH DICTIONARY cm_stem (TEMPLATE = pg_catalog.snowball, Language = english)
;
CREATE TEXT SEARCH CONFIGURATION cm_text (COPY = pg_catalog.simple)
;
ALTER TEXT SEARCH CONFIGURATION cm_text
    ALTER MAPPING FOR asciiword, word, asciihword, hword, hword_asciipart, hword_part WITH cm_stem
;

-- application, schema_version, created_at, server_version, text_config, search_index,
-- generation (bumped by every write transaction that changed something: read caches,
-- in every app server sharing the database, key on it).
CREATE TABLE meta (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
)
;
-- One row per cable: its current version, what pages show, the current record as JSON
-- text (not jsonb: jsonb reorders keys, and the record is only ever read whole).
CREATE TABLE cables (
    key            bigint PRIMARY KEY,
    id             text COLLATE "C" NOT NULL UNIQUE,
    canon          text COLLATE "C" NOT NULL,
    version_id     bigint NOT NULL,
    n_versions     integer NOT NULL,
    format         text NOT NULL,
    created        text COLLATE "C",
    released       text COLLATE "C",
    year           integer,
    month          integer,
    day            integer,
    origin         text,
    classification text,
    subject        text NOT NULL,
    title          text NOT NULL,
    tags           text NOT NULL,
    partial        boolean NOT NULL,
    has_header     boolean NOT NULL,
    n_paragraphs   integer NOT NULL,
    n_references   integer NOT NULL,
    redactions     integer NOT NULL,
    body_length    integer NOT NULL,
    generated      boolean NOT NULL,
    record         text NOT NULL
)
;
CREATE INDEX cables_canon ON cables (canon)
;
-- The narrow row queries filter, sort, facet and search on (key = cables.key):
--   doc      the full-text document: title (weight A), subject (B), tags (C), body (D),
--            each cut into words exactly like the query language cuts queries
--            (store/pg_text.py) and stemmed by cm_text; usually several KB, so stored
--            out of line (TOAST): reading it costs ~25 us a row, which is why queries
--            only touch it through its GIN index, for ranking a bounded number of hits,
--            and for the page's hits;
--   head     the title (A) and subject (B) alone: small, kept in the row; subject:
--            queries, the title/subject tier of big results and their ranking use it;
--   tags, captions  as queries compare them (keywords), for tag:/caption: and the tag facet.
-- Counting facets over 100,000 matches reads this table only.
CREATE TABLE facts (
    key       bigint PRIMARY KEY,
    created   text COLLATE "C",
    released  text COLLATE "C",
    year      integer,
    origin    integer,
    class     integer,
    generated boolean NOT NULL,
    tags      text[] COLLATE "C" NOT NULL,
    captions  text[] COLLATE "C" NOT NULL,
    head      tsvector NOT NULL,
    doc       tsvector NOT NULL
)
;
CREATE INDEX facts_doc ON facts USING gin (doc)
;
CREATE INDEX facts_created ON facts (created NULLS FIRST, key)
;
CREATE INDEX facts_released ON facts (released NULLS FIRST, created NULLS FIRST, key)
;
CREATE INDEX facts_origin ON facts (origin, created)
;
CREATE INDEX facts_class ON facts (class, created)
;
CREATE INDEX facts_generated ON facts (key) WHERE generated
;
CREATE INDEX facts_head ON facts USING gin (head)
;
CREATE INDEX facts_tags ON facts USING gin (tags)
;
CREATE INDEX facts_captions ON facts USING gin (captions)
;
-- Facet counts of the whole collection (the empty query: browse pages, the home page),
-- kept by every write transaction, so browsing reads a few hundred rows instead of
-- counting every cable.  facet: 'all' (value ''), 'year', 'origin' and 'class' (label
-- ids as text), 'tag'.  Rows whose count fell to 0 stay (n = 0).
CREATE TABLE totals (
    facet text COLLATE "C" NOT NULL,
    value text COLLATE "C" NOT NULL,
    n     bigint NOT NULL,
    PRIMARY KEY (facet, value)
)
;
-- The distinct origins and classifications (never deleted: ids stay valid); norm is what
-- queries compare (folded origin words, canonical classification; '' when unnamed).
CREATE TABLE labels (
    label_id integer PRIMARY KEY,
    kind     text COLLATE "C" NOT NULL,
    value    text NOT NULL,
    norm     text NOT NULL,
    UNIQUE (kind, value)
)
;
-- One row per distinct raw record (by sha256 of its bytes).  raw_z is zlib-compressed by
-- the store (PostgreSQL is told not to compress it again); record is the JSON of a
-- version that is not current (NULL for the current one: it is cables.record), left to
-- PostgreSQL's own compression so that switching versions is one UPDATE on the server.
CREATE TABLE versions (
    version_id    bigint PRIMARY KEY,
    cable_id      text COLLATE "C" NOT NULL,
    sha256        text COLLATE "C" NOT NULL UNIQUE,
    collection    text NOT NULL,
    format        text NOT NULL,
    path          text NOT NULL,
    byte_offset   bigint NOT NULL,
    length        bigint NOT NULL,
    line          bigint NOT NULL,
    imported_at   text NOT NULL,
    released      text,
    release_label text,
    release_seq   bigint NOT NULL,
    completeness  bigint NOT NULL,
    record        text,
    raw_z         bytea NOT NULL
)
;
ALTER TABLE versions ALTER COLUMN raw_z SET STORAGE EXTERNAL
;
CREATE INDEX versions_cable ON versions (cable_id)
;
-- References of current records; dst may name a cable that is not stored.
CREATE TABLE refs (
    src      text COLLATE "C" NOT NULL,
    position integer NOT NULL,
    bullet   text,
    value    text NOT NULL,
    kind     text NOT NULL,
    dst      text COLLATE "C",
    dst_key  text COLLATE "C",
    PRIMARY KEY (src, position)
)
;
CREATE INDEX refs_dst_key ON refs (dst_key, src) WHERE dst_key IS NOT NULL
;
CREATE TABLE tags (
    key      bigint NOT NULL,
    tag      text COLLATE "C" NOT NULL,
    position integer NOT NULL,
    PRIMARY KEY (key, tag)
)
;
CREATE INDEX tags_tag ON tags (tag, key)
;
CREATE TABLE captions (
    key     bigint NOT NULL,
    caption text COLLATE "C" NOT NULL,
    PRIMARY KEY (key, caption)
)
;
CREATE INDEX captions_caption ON captions (caption, key)
;
CREATE TABLE paragraphs (
    cable     text COLLATE "C" NOT NULL,
    position  integer NOT NULL,
    number    bigint,                  -- as written in the text: may be anything
    marking   text,
    cut_short boolean NOT NULL,
    length    integer NOT NULL,
    PRIMARY KEY (cable, position)
)
;
CREATE TABLE quarantine (
    qid              bigint PRIMARY KEY,
    sha256           text COLLATE "C" NOT NULL UNIQUE,
    collection       text NOT NULL,
    format           text NOT NULL,
    path             text NOT NULL,
    byte_offset      bigint NOT NULL,
    length           bigint NOT NULL,
    line             bigint NOT NULL,
    reason           text NOT NULL,
    first_seen       text NOT NULL,
    last_seen        text NOT NULL,
    resolved_version bigint,
    resolved_at      text,
    raw_z            bytea NOT NULL
)
;
ALTER TABLE quarantine ALTER COLUMN raw_z SET STORAGE EXTERNAL
;
CREATE TABLE imports (
    path        text PRIMARY KEY,
    fingerprint text NOT NULL,
    byte_offset bigint NOT NULL,
    updated_at  text NOT NULL
)
