-- Users and their sessions. A user has one role over one administrative unit and
-- everything below it (crates/app/src/access.rs).
CREATE TABLE users (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    username            TEXT NOT NULL UNIQUE,
    -- An argon2 PHC string; the password itself is never stored.
    password_hash       TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'labour_office', 'agency_officer',
                            'commune_officer', 'village_head', 'oversight', 'province_viewer')),
    unit_code           TEXT NOT NULL REFERENCES admin_units (code),
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

CREATE INDEX users_unit ON users (unit_code);

-- Sign-ins: a browser session ('web', carried in a cookie) or an API token ('api', sent
-- as a bearer token). Only the SHA-256 of the random token is kept, so a copy of the
-- database does not let anyone sign in.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('web', 'api')),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
