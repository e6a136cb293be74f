"""Named schema migrations, applied in order and recorded in the `migrations` table.

Append new migrations at the end with a new name; never edit one that has shipped.
"""

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_core",
        """
        CREATE TABLE articles (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            content_hash TEXT NOT NULL UNIQUE,
            format TEXT NOT NULL CHECK (format IN ('text', 'html')),
            raw BLOB NOT NULL,            -- the input bytes, exactly as read
            encoding TEXT NOT NULL,       -- how `raw` was decoded
            body_field TEXT,              -- JSONL: the field of the decoded line holding the body
            url TEXT,
            title TEXT,                   -- as given by the input, not derived
            outlet TEXT,
            published TEXT,
            language TEXT,
            meta TEXT NOT NULL DEFAULT '{}',
            source TEXT NOT NULL,         -- file path or '-' for stdin
            locator TEXT NOT NULL,        -- line or record within the source
            ingested_at TEXT NOT NULL
        );
        CREATE TABLE rejections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            source TEXT NOT NULL,
            locator TEXT NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            first_seen TEXT NOT NULL,
            UNIQUE (source, locator, reason)
        );
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            settings TEXT NOT NULL DEFAULT '{}',
            stats TEXT NOT NULL DEFAULT '{}'
        );
        -- Completion markers of corpus stages: the input fingerprint each last finished on.
        CREATE TABLE stage_state (
            stage TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            finished_at TEXT NOT NULL
        );
        """,
    ),
    (
        "0002_clean",
        """
        CREATE TABLE clean_articles (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            source_seq INTEGER NOT NULL,
            stage_version INTEGER NOT NULL,
            text TEXT NOT NULL,
            title TEXT,
            outlet TEXT,
            published TEXT,
            language TEXT,
            removed TEXT NOT NULL DEFAULT '[]',
            metadata TEXT NOT NULL DEFAULT '{}'
        );
        """,
    ),
    (
        "0003_reprints",
        """
        CREATE TABLE reprint_signatures (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            source_rev INTEGER NOT NULL,  -- rowid of the clean_articles row it was made from
            stage_version INTEGER NOT NULL,
            shingles INTEGER NOT NULL,
            minhash BLOB NOT NULL,
            linked INTEGER NOT NULL DEFAULT 0  -- 1 once its candidate links are computed
        );
        CREATE TABLE lsh_buckets (
            band INTEGER NOT NULL,
            bucket INTEGER NOT NULL,
            article_id TEXT NOT NULL,
            PRIMARY KEY (band, bucket, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX lsh_buckets_article ON lsh_buckets(article_id);
        CREATE TABLE reprint_links (
            a TEXT NOT NULL,
            b TEXT NOT NULL,
            containment REAL NOT NULL,   -- share of the shorter text found in the longer
            jaccard REAL NOT NULL,
            is_reprint INTEGER NOT NULL, -- 1: same source text; 0: partial reuse only
            PRIMARY KEY (a, b)
        );
        CREATE INDEX reprint_links_b ON reprint_links(b);
        CREATE TABLE reprint_groups (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            group_id TEXT NOT NULL
        );
        CREATE INDEX reprint_groups_group ON reprint_groups(group_id);
        """,
    ),
    (
        "0004_stories",
        """
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            title TEXT,
            first_seen TEXT,
            last_seen TEXT,
            storyline_id TEXT
        );
        CREATE TABLE story_members (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            story_id TEXT NOT NULL
        );
        CREATE INDEX story_members_story ON story_members(story_id);
        CREATE TABLE storylines (
            id TEXT PRIMARY KEY,
            title TEXT,
            first_seen TEXT,
            last_seen TEXT
        );
        """,
    ),
]
