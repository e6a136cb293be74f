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
    (
        "0005_web_search",
        # Full-text index over clean titles and texts for `storyline serve`. An
        # external-content FTS5 table kept current by triggers, so every writer of
        # clean_articles updates it in the same transaction. INSERT OR REPLACE deletes the old
        # row without firing delete triggers, hence the BEFORE INSERT trigger.
        """
        CREATE VIRTUAL TABLE article_fts USING fts5(
            title, text, content='clean_articles', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER clean_articles_fts_bi BEFORE INSERT ON clean_articles BEGIN
            INSERT INTO article_fts (article_fts, rowid, title, text)
                SELECT 'delete', rowid, title, text FROM clean_articles WHERE article_id = new.article_id;
        END;
        CREATE TRIGGER clean_articles_fts_ai AFTER INSERT ON clean_articles BEGIN
            INSERT INTO article_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER clean_articles_fts_ad AFTER DELETE ON clean_articles BEGIN
            INSERT INTO article_fts (article_fts, rowid, title, text)
                VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER clean_articles_fts_au AFTER UPDATE ON clean_articles BEGIN
            INSERT INTO article_fts (article_fts, rowid, title, text)
                VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO article_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        INSERT INTO article_fts (article_fts) VALUES ('rebuild');
        CREATE INDEX clean_articles_outlet ON clean_articles (outlet COLLATE NOCASE);
        CREATE INDEX stories_recent ON stories (last_seen DESC, id);
        """,
    ),
    (
        "0006_stories_online",
        """
        -- Online story clustering: where each article went and in which canonical position,
        -- so a later run continues from there and can tell when it must replay.
        CREATE TABLE story_assignments (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            story_id TEXT NOT NULL,
            day INTEGER NOT NULL,         -- canonical order key: (day, seq)
            seq INTEGER NOT NULL,
            leader TEXT NOT NULL          -- the reprint copy it followed; itself when counted
        );
        CREATE TABLE story_state (
            name TEXT PRIMARY KEY,
            value BLOB NOT NULL
        );
        """,
    ),
    (
        "0007_reprint_sketches",
        """
        -- Reprints 0.2: per-article shingle sketches replace MinHash bands (the in-memory key
        -- index is rebuilt from `sample`); passage alignments are stored per pair.
        DROP TABLE lsh_buckets;
        DROP TABLE reprint_signatures;
        CREATE TABLE reprint_sketches (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            source_rev INTEGER NOT NULL,  -- rowid of the clean_articles row it was made from
            stage_version INTEGER NOT NULL,
            shingles INTEGER NOT NULL,
            sample BLOB NOT NULL,         -- sorted uint64 sample keys
            hashes BLOB NOT NULL,         -- sorted uint32 hashes of all shingles
            linked INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE reprint_group_info (
            group_id TEXT PRIMARY KEY,
            fullest TEXT NOT NULL,
            earliest TEXT,                -- NULL when no member has a known date
            size INTEGER NOT NULL
        );
        -- One row per aligned (reference, copy) pair; its passages in reprint_passages.
        CREATE TABLE reprint_alignments (
            ref TEXT NOT NULL,
            copy TEXT NOT NULL,
            removed TEXT NOT NULL DEFAULT '[]',  -- [start, end] spans of ref not in copy
            added TEXT NOT NULL DEFAULT '[]',    -- [start, end] spans of copy not in ref
            PRIMARY KEY (ref, copy)
        );
        CREATE INDEX reprint_alignments_copy ON reprint_alignments(copy);
        CREATE TABLE reprint_passages (
            ref TEXT NOT NULL,
            copy TEXT NOT NULL,
            n INTEGER NOT NULL,
            ref_start INTEGER NOT NULL,
            ref_end INTEGER NOT NULL,
            copy_start INTEGER NOT NULL,
            copy_end INTEGER NOT NULL,
            similarity REAL NOT NULL,
            edits TEXT NOT NULL DEFAULT '[]',    -- [[op, before, after], ...] from ref to copy
            PRIMARY KEY (ref, copy, n)
        );
        """,
    ),
    (
        "0008_summaries",
        """
        -- One row per story: its cited summary, disputes and timeline as JSON (see store/summaries.py).
        CREATE TABLE story_summaries (
            story_id TEXT PRIMARY KEY,
            input_key TEXT NOT NULL,      -- stage version + member articles' clean rows + reprint groups
            sentences TEXT NOT NULL,      -- [{text, article_id, cites}]
            disputes TEXT NOT NULL,       -- [{what, note, cites}]
            timeline TEXT NOT NULL,       -- [{date, estimated, text, cites}]
            made_at TEXT NOT NULL
        );
        """,
    ),
    (
        "0009_clean_metadata",
        """
        -- Cleaning 0.2: the short line shapes of each article, counted per outlet (a shape on
        -- several articles of one outlet is that outlet's furniture), and which of them were
        -- applied when the article was cleaned, so a later run re-cleans what changed.
        CREATE TABLE outlet_lines (
            outlet TEXT NOT NULL,
            shape TEXT NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id),
            story_key TEXT NOT NULL,      -- copies and updates of one text share it: counted once
            PRIMARY KEY (outlet, shape, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX outlet_lines_article ON outlet_lines(article_id);
        ALTER TABLE clean_articles ADD COLUMN outlet_key TEXT;
        ALTER TABLE clean_articles ADD COLUMN furniture_key TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0013_events_figures",
        """
        -- Per article (map step): its dates, dated event mentions and figures as JSON, and the
        -- anchor its relative dates were resolved against (an estimate for undated articles).
        CREATE TABLE article_extractions (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            source_rev INTEGER NOT NULL,  -- rowid of the clean_articles row it was made from
            stage_version INTEGER NOT NULL,
            anchor TEXT,                  -- YYYY-MM-DD or NULL
            anchor_source TEXT NOT NULL,  -- published, reprint group, story estimate, linked events, none
            anchor_estimate TEXT NOT NULL DEFAULT '{}',  -- candidates and feasible anchors
            dates TEXT NOT NULL DEFAULT '[]',
            mentions TEXT NOT NULL DEFAULT '[]',
            figures TEXT NOT NULL DEFAULT '[]'
        );
        -- Per story (reduce step): events merged across the story's articles.
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            story_id TEXT NOT NULL,
            type TEXT NOT NULL,
            family TEXT NOT NULL,
            date_start TEXT,
            date_end TEXT,
            estimated INTEGER NOT NULL,
            confidence REAL NOT NULL,
            place TEXT,
            place_key TEXT,
            lat REAL,                     -- from the places stage's geocoder, when installed
            lon REAL,
            country TEXT,
            actors TEXT NOT NULL DEFAULT '[]',
            sources TEXT NOT NULL DEFAULT '[]',
            mentions TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX events_story ON events (story_id, date_start);
        CREATE TABLE figure_disputes (
            id TEXT PRIMARY KEY,
            what TEXT NOT NULL,
            note TEXT NOT NULL,
            figures TEXT NOT NULL         -- [{article_id, start, end}] pointing into article_extractions
        );
        """,
    ),
    (
        "0014_summaries",
        """
        -- The story's headline (the most central of its articles' titles): {text, cites} as JSON.
        ALTER TABLE story_summaries ADD COLUMN headline TEXT;
        """,
    ),
    (
        "0015_web",
        # `storyline serve`: which story each full-text row belongs to, keyed by the
        # FTS rowid (= clean_articles.rowid), so a text filter on /api/stories maps FTS hits to
        # stories through a narrow integer-keyed table instead of reading clean_articles rows.
        # Kept current by triggers on both sides; INSERT OR REPLACE deletes without firing
        # delete triggers, hence the BEFORE INSERT trigger on clean_articles.
        """
        CREATE TABLE web_fts_story (
            fts_rowid INTEGER PRIMARY KEY,
            story_id TEXT NOT NULL
        );
        CREATE TRIGGER web_fts_story_clean_bi BEFORE INSERT ON clean_articles BEGIN
            DELETE FROM web_fts_story
                WHERE fts_rowid = (SELECT rowid FROM clean_articles WHERE article_id = new.article_id);
        END;
        CREATE TRIGGER web_fts_story_clean_ai AFTER INSERT ON clean_articles BEGIN
            INSERT OR REPLACE INTO web_fts_story (fts_rowid, story_id)
                SELECT new.rowid, story_id FROM story_members WHERE article_id = new.article_id;
        END;
        CREATE TRIGGER web_fts_story_clean_ad AFTER DELETE ON clean_articles BEGIN
            DELETE FROM web_fts_story WHERE fts_rowid = old.rowid;
        END;
        CREATE TRIGGER web_fts_story_member_ai AFTER INSERT ON story_members BEGIN
            INSERT OR REPLACE INTO web_fts_story (fts_rowid, story_id)
                SELECT rowid, new.story_id FROM clean_articles WHERE article_id = new.article_id;
        END;
        CREATE TRIGGER web_fts_story_member_au AFTER UPDATE ON story_members BEGIN
            DELETE FROM web_fts_story
                WHERE fts_rowid = (SELECT rowid FROM clean_articles WHERE article_id = old.article_id);
            INSERT OR REPLACE INTO web_fts_story (fts_rowid, story_id)
                SELECT rowid, new.story_id FROM clean_articles WHERE article_id = new.article_id;
        END;
        CREATE TRIGGER web_fts_story_member_ad AFTER DELETE ON story_members BEGIN
            DELETE FROM web_fts_story
                WHERE fts_rowid = (SELECT rowid FROM clean_articles WHERE article_id = old.article_id);
        END;
        INSERT INTO web_fts_story (fts_rowid, story_id)
            SELECT c.rowid, m.story_id FROM story_members m JOIN clean_articles c ON c.article_id = m.article_id;
        CREATE INDEX web_fts_story_story ON web_fts_story (story_id);
        CREATE INDEX stories_first_seen ON stories (first_seen);
        """,
    ),
    (
        "0012_entities_places",
        """
        -- The entities stage: the NER mentions of each article, geocoded places
        -- as JSON, and the corpus-wide entities with their aliases (rewritten by finish).
        CREATE TABLE entity_articles (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            source_rev INTEGER NOT NULL,  -- rowid of the clean_articles row it was made from
            stage_version INTEGER NOT NULL
        );
        CREATE TABLE entity_mentions (
            article_id TEXT NOT NULL REFERENCES articles(id),
            n INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL,
            label TEXT NOT NULL,          -- spaCy label, or ALIAS for a curated organisation name
            kind TEXT NOT NULL,           -- person, org, place
            key TEXT NOT NULL,            -- what the corpus-wide step groups by
            place TEXT,                   -- geocoded place as JSON, NULL when not a place
            field TEXT NOT NULL DEFAULT 'text',  -- text, or title (offsets into the title)
            entity_id TEXT,               -- set by the corpus-wide step
            PRIMARY KEY (article_id, n)
        );
        CREATE INDEX entity_mentions_entity ON entity_mentions (entity_id);
        CREATE TABLE entities (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            aliases TEXT NOT NULL,        -- JSON list of surface forms, most frequent first
            mentions INTEGER NOT NULL,
            articles TEXT NOT NULL,       -- JSON list of article ids
            lat REAL,
            lon REAL,
            country TEXT,
            place TEXT                    -- JSON of the geocoded place, NULL when not a place
        );
        CREATE INDEX entities_kind ON entities (kind, mentions DESC);
        """,
    ),
    (
        "0011_stories",
        """
        -- Stories 0.2: each article's term vector, made in the stage's per-article map step,
        -- so the sequential placement (and any replay) reads it instead of re-tokenizing.
        CREATE TABLE story_features (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            source_rev INTEGER NOT NULL,  -- rowid of the clean_articles row it was made from
            settings INTEGER NOT NULL,    -- fingerprint of the featurizer's settings
            ids BLOB NOT NULL,            -- sorted uint32 hashed term ids
            weights BLOB NOT NULL         -- float32 weights, unit length
        );
        """,
    ),
    (
        "0012_story_embeddings",
        """
        -- Stories 0.3: each article's dense multilingual embedding (stages/stories/embeddings.py),
        -- made in the same map step; NULL where none was made.
        ALTER TABLE story_features ADD COLUMN embedding BLOB;  -- float16, unit length
        """,
    ),
    (
        "0013_reprint_passages_copy",
        """
        -- Relinking an article deletes the passages where it is the copy too: without this
        -- index that is a scan of the whole table per chunk of articles.
        CREATE INDEX reprint_passages_copy ON reprint_passages(copy);
        """,
    ),
    (
        "0014_reprint_linked",
        """
        -- Which articles have their candidate links computed, in a table of its own: as a
        -- column of reprint_sketches, marking a batch rewrote rows that hold the sketches'
        -- blobs (about 2 KB an article). reprint_sketches.linked is no longer read.
        CREATE TABLE reprint_linked (article_id TEXT PRIMARY KEY) WITHOUT ROWID;
        INSERT INTO reprint_linked SELECT article_id FROM reprint_sketches WHERE linked = 1;
        """,
    ),
    (
        "0015_story_embedding_keys",
        """
        -- The key of the text an embedding was made from (model + embedded text): a text
        -- already embedded (an exact copy, or the same article when only the term-vector
        -- settings changed) is not embedded again.
        ALTER TABLE story_features ADD COLUMN text_key BLOB;
        CREATE INDEX story_features_text_key ON story_features(text_key);
        """,
    ),
    (
        "0016_run_settings",
        """
        -- The resolved settings a run used (settings.py: db, workers, embeddings, cache), as
        -- JSON. A column of its own: runs.settings has held the stages' versions since 0001.
        ALTER TABLE runs ADD COLUMN config TEXT NOT NULL DEFAULT '{}';
        """,
    ),
    (
        "0017_ingest_dates_warnings",
        """
        -- What ingest read from an input record besides its date: the timestamp when the
        -- record gave a time (ISO 8601, with its offset when given), the record's own date
        -- string as given, and the warnings about the record (a date that could not be read,
        -- an ambiguous day and month), as a JSON list: shown by `storyline show` and
        -- `storyline rejections --warnings`. `published` now holds the date ingest read
        -- (YYYY-MM-DD, YYYY-MM or YYYY).
        ALTER TABLE articles ADD COLUMN published_at TEXT;
        ALTER TABLE articles ADD COLUMN published_raw TEXT;
        ALTER TABLE articles ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
        """,
    ),
    (
        "0018_stage_errors",
        """
        -- An item (an article; a story for the summaries stage) a stage could not process:
        -- the error, kept until a later run processes it (a run retries only these and the
        -- new items; the others went on). Listed by `storyline rejections --stage`.
        CREATE TABLE stage_errors (
            stage TEXT NOT NULL,
            item_id TEXT NOT NULL,
            stage_version INTEGER NOT NULL,
            error TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            PRIMARY KEY (stage, item_id)
        );
        """,
    ),
    (
        "0019_feeds_pages_alerts",
        """
        -- Following feeds (`storyline watch`, ingest/watch.py). Per feed: its HTTP validators for
        -- conditional GETs, what the last poll did, consecutive failures and the earliest next
        -- poll (the feed's ttl, a Retry-After, or the backoff of a failing feed).
        CREATE TABLE feeds (
            url TEXT PRIMARY KEY, title TEXT, added_at TEXT NOT NULL,
            etag TEXT, last_modified TEXT, last_poll_at TEXT, last_status TEXT, last_ok_at TEXT,
            last_new_at TEXT, last_new INTEGER NOT NULL DEFAULT 0, polls INTEGER NOT NULL DEFAULT 0,
            not_modified INTEGER NOT NULL DEFAULT 0, entries INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0, last_error TEXT, min_interval_s INTEGER,
            next_poll_at TEXT
        );
        -- Every entry seen, by its key (guid, else link): a new entry is one not here.
        CREATE TABLE feed_entries (
            feed TEXT NOT NULL, key TEXT NOT NULL, page TEXT NOT NULL, seen_at TEXT NOT NULL,
            PRIMARY KEY (feed, key)
        ) WITHOUT ROWID;
        -- The pages to store, one per canonical URL: the work queue of a poll (pending, retry)
        -- and what became of each (stored, duplicate, failed, disallowed), with the feed's
        -- metadata and, for an entry that carried its full text, that text.
        CREATE TABLE pages (
            url TEXT PRIMARY KEY, status TEXT NOT NULL, feed TEXT, entry_meta TEXT NOT NULL DEFAULT '{}',
            content BLOB, canonical TEXT, http_status INTEGER, article_id TEXT, error TEXT,
            attempts INTEGER NOT NULL DEFAULT 0, added_at TEXT NOT NULL, fetched_at TEXT
        );
        CREATE INDEX pages_status ON pages(status);
        CREATE INDEX pages_canonical ON pages(canonical);
        -- Saved searches: each says once of every story that matches it and is new or has new
        -- articles since the search was saved (`baseline_seq`: the articles then stored).
        CREATE TABLE alerts (
            name TEXT PRIMARY KEY, query TEXT NOT NULL, target TEXT NOT NULL, created_at TEXT NOT NULL,
            baseline_seq INTEGER NOT NULL, sent INTEGER NOT NULL DEFAULT 0, last_check_at TEXT,
            last_error TEXT
        );
        -- Per alert and story: the newest article an alert already told of.
        CREATE TABLE alert_stories (
            alert TEXT NOT NULL REFERENCES alerts(name) ON DELETE CASCADE, story_id TEXT NOT NULL,
            last_seq INTEGER NOT NULL, sent_at TEXT NOT NULL, PRIMARY KEY (alert, story_id)
        ) WITHOUT ROWID;
        """,
    ),
    (
        "0021_web_pages",
        """
        -- The web UI's entity, storyline and event pages. Every name of an entity (its name
        -- and aliases) a row, case-insensitive, kept by triggers on entities (the entities
        -- stage rewrites that table): search looks a typed name up here to find the entity's
        -- other names. Plus the indexes the storyline and event listings read by.
        CREATE TABLE entity_aliases (
            alias TEXT NOT NULL COLLATE NOCASE,
            entity_id TEXT NOT NULL,
            PRIMARY KEY (alias, entity_id)
        ) WITHOUT ROWID;
        CREATE INDEX entity_aliases_entity ON entity_aliases (entity_id);
        CREATE TRIGGER entity_aliases_ai AFTER INSERT ON entities BEGIN
            INSERT OR IGNORE INTO entity_aliases (alias, entity_id)
                SELECT value, new.id FROM json_each(new.aliases) UNION SELECT new.name, new.id;
        END;
        CREATE TRIGGER entity_aliases_ad AFTER DELETE ON entities BEGIN
            DELETE FROM entity_aliases WHERE entity_id = old.id;
        END;
        CREATE TRIGGER entity_aliases_au AFTER UPDATE OF id, name, aliases ON entities BEGIN
            DELETE FROM entity_aliases WHERE entity_id = old.id;
            INSERT OR IGNORE INTO entity_aliases (alias, entity_id)
                SELECT value, new.id FROM json_each(new.aliases) UNION SELECT new.name, new.id;
        END;
        INSERT OR IGNORE INTO entity_aliases (alias, entity_id)
            SELECT j.value, e.id FROM entities e, json_each(e.aliases) j UNION SELECT name, id FROM entities;
        CREATE INDEX stories_storyline ON stories (storyline_id, first_seen);
        CREATE INDEX events_date ON events (date_start);
        -- An outlet's articles newest first (the outlet page), without sorting them all.
        CREATE INDEX clean_articles_outlet_published ON clean_articles (outlet COLLATE NOCASE, published, source_seq);
        """,
    ),
]
