-- What has ended leaves D1 a few rows at a time, by these indexes: refresh tokens past
-- their expiry (with each new token), and throttle windows long over (with each attempt
-- counted). Neither table then grows with history, only with what is live.
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
CREATE INDEX login_failures_by_window ON login_failures (window_start);
