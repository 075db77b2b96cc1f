-- Who each message mentions (`@username` of a member), for mention counts and
-- notifications. Kept by the write-behind with the message.
CREATE TABLE mentions (
    message_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX mentions_by_user ON mentions (user_id);
