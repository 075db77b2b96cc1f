-- Accounts and sessions (docs/api.md).

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    -- lowercase username: usernames are unique regardless of case
    username_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    avatar_file_id TEXT,
    status_text TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    disabled INTEGER NOT NULL DEFAULT 0,
    -- v1$pbkdf2-sha256$<iterations>$<salt>$<hash>, over HMAC(pepper, password)
    password TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER
);

-- Refresh tokens are stored as SHA-256 digests. Each login starts a family; each use
-- rotates the token within it; a rotated token used again revokes the whole family.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    family_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);

-- Failed logins per key ("user:<username_key>", "ip:<address>") in a fixed window.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    failures INTEGER NOT NULL
);
