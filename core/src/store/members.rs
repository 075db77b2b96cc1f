//! The room's members, bans and mutes as its store keeps them: every read by key or a
//! page of an index, bounded by the membership, never by the history.

use edgechat_protocol::{BannedUser, Id, Millis, Status};

use super::{Member, Row, Sql, Store, StoreError, Value};

const MEMBER: &str = "SELECT user_id, username, role, handle, status, last_seen, status_text
     FROM members WHERE user_id = ?";
const MEMBERS: &str = "SELECT user_id, username, role, handle, status, last_seen, status_text
     FROM members ORDER BY user_id";
const MEMBERS_AFTER: &str = "SELECT user_id, username, role, handle, status, last_seen, status_text
     FROM members WHERE user_id > ? ORDER BY user_id LIMIT ?";
const RENAME_MEMBER: &str = "UPDATE members SET username = ?, handle = ? WHERE user_id = ?";
const SET_STATUS: &str =
    "UPDATE members SET status = ?, last_seen = ?, status_text = ? WHERE user_id = ?";
/// Members whose inbox last said they are online or away (the partial index
/// `members_live` holds only those).
const LIVE_MEMBERS: &str =
    "SELECT user_id FROM members WHERE status != 'offline' ORDER BY user_id LIMIT ?";
const IS_BANNED: &str = "SELECT 1 FROM banned WHERE user_id = ?";
const BANNED_NAME: &str = "SELECT username FROM banned WHERE user_id = ?";
pub(super) const BANNED_AFTER: &str =
    "SELECT user_id, username FROM banned WHERE user_id > ? ORDER BY user_id LIMIT ?";
const MUTED_UNTIL: &str = "SELECT until FROM muted WHERE user_id = ?";

impl<S: Sql> Store<S> {
    pub fn member(&self, user_id: &str) -> Result<Option<Member>, StoreError> {
        self.one(MEMBER, &[user_id.into()])?
            .map(|row| member(&row))
            .transpose()
    }

    /// The names a member is listed under, as they last arrived with them.
    pub fn rename_member(
        &self,
        user_id: &str,
        username: &str,
        handle: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            RENAME_MEMBER,
            &[username.into(), handle.into(), user_id.into()],
        )
    }

    /// A member's global status as their inbox relays it (nothing for a non-member).
    pub fn set_status(
        &self,
        user_id: &str,
        status: Status,
        last_seen: Option<Millis>,
        status_text: Option<&str>,
    ) -> Result<(), StoreError> {
        self.exec(
            SET_STATUS,
            &[
                status_name(status).into(),
                last_seen.map_or(Value::Null, Value::from),
                status_text.map_or(Value::Null, Value::from),
                user_id.into(),
            ],
        )
    }

    /// Up to `limit` members whose inbox is open somewhere (online or away), by id.
    pub fn live_members(&self, limit: usize) -> Result<Vec<Id>, StoreError> {
        self.sql
            .run(LIVE_MEMBERS, &[(limit as u64).into()])?
            .iter()
            .map(|row| Ok(row.text(0)?.to_owned()))
            .collect()
    }

    pub fn is_member(&self, user_id: &str) -> Result<bool, StoreError> {
        Ok(self.member(user_id)?.is_some())
    }

    /// Every member, by id. Bounded by the room's membership, not its history.
    pub fn members(&self) -> Result<Vec<Member>, StoreError> {
        self.sql.run(MEMBERS, &[])?.iter().map(member).collect()
    }

    /// Up to `limit` members by id after `after`, and whether more follow.
    pub fn members_after(
        &self,
        after: &str,
        limit: usize,
    ) -> Result<(Vec<Member>, bool), StoreError> {
        self.page(MEMBERS_AFTER, after, limit, member)
    }

    /// How many members the room has: the fold's count, not a count of the table.
    pub fn member_count(&self) -> Result<u64, StoreError> {
        self.counter(super::schema::MEMBER_COUNT)
    }

    pub fn is_banned(&self, user_id: &str) -> Result<bool, StoreError> {
        Ok(self.one(IS_BANNED, &[user_id.into()])?.is_some())
    }

    /// The name a banned user had as a member (empty when not kept); `None` when they
    /// are not banned.
    pub fn banned_name(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        self.one(BANNED_NAME, &[user_id.into()])?
            .map(|row| row.text(0).map(str::to_owned))
            .transpose()
    }

    /// Up to `limit` banned users by id after `after`, and whether more follow.
    pub fn banned_after(
        &self,
        after: &str,
        limit: usize,
    ) -> Result<(Vec<BannedUser>, bool), StoreError> {
        self.page(BANNED_AFTER, after, limit, |row| {
            Ok(BannedUser {
                user_id: row.text(0)?.to_owned(),
                username: row.text(1)?.to_owned(),
            })
        })
    }

    /// Until when `user_id` was muted, whether or not that has passed.
    pub fn mute(&self, user_id: &str) -> Result<Option<Millis>, StoreError> {
        self.one(MUTED_UNTIL, &[user_id.into()])?
            .map(|row| row.uint(0))
            .transpose()
    }

    /// Until when `user_id` is muted, if they are at `now`.
    pub fn muted_until(&self, user_id: &str, now: Millis) -> Result<Option<Millis>, StoreError> {
        Ok(self.mute(user_id)?.filter(|until| *until > now))
    }

    /// Up to `limit` rows of `statement` (keyed `> after`, in key order, with a `LIMIT ?`)
    /// read by `read`, and whether more follow: one row more than the page is asked for.
    fn page<T>(
        &self,
        statement: &'static str,
        after: &str,
        limit: usize,
        read: impl Fn(&Row) -> Result<T, StoreError>,
    ) -> Result<(Vec<T>, bool), StoreError> {
        let mut page: Vec<T> = self
            .sql
            .run(statement, &[after.into(), (limit as u64 + 1).into()])?
            .iter()
            .map(read)
            .collect::<Result<_, _>>()?;
        let more = page.len() > limit;
        page.truncate(limit);
        Ok((page, more))
    }
}

/// A role as the members table keeps it (a JSON string, quotes included).
pub(super) fn stored_role(text: &str) -> Result<edgechat_protocol::Role, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn member(row: &Row) -> Result<Member, StoreError> {
    Ok(Member {
        user_id: row.text(0)?.to_owned(),
        username: row.text(1)?.to_owned(),
        role: stored_role(row.text(2)?)?,
        handle: row.text(3)?.to_owned(),
        status: match row.text(4)? {
            "online" => Status::Online,
            "away" => Status::Away,
            _ => Status::Offline,
        },
        last_seen: (!row.is_null(5)).then(|| row.uint(5)).transpose()?,
        status_text: (!row.is_null(6))
            .then(|| row.text(6).map(str::to_owned))
            .transpose()?,
    })
}

/// A status as the members table keeps it.
fn status_name(status: Status) -> &'static str {
    match status {
        Status::Online => "online",
        Status::Away => "away",
        Status::Offline => "offline",
    }
}
