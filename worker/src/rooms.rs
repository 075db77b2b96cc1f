//! `/api/rooms`: creating rooms of every kind, listing one's rooms, discovering public
//! ones. A room's object owns it; D1 has the directory the listings read.

use edgechat_core::{Identity, ids};
use edgechat_protocol::{ErrorCode, RoomInfo, RoomKind};
use serde::Deserialize;
use serde_json::json;
use wasm_bindgen::JsValue;
use worker::{Date, Env, Request, Response, Result};

use crate::{
    auth::{guard, throttle, users},
    http::{self, read_json},
    stubs::{Creation, RoomStub},
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRoom {
    /// Shown as typed; its slug is the room's id.
    pub name: String,
    #[serde(default)]
    pub is_private: bool,
    /// `group`: a small invite-only conversation with a generated id.
    #[serde(default)]
    pub group: bool,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub capacity: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewDirect {
    user_id: String,
}

const MAX_MEMBERS: usize = 100;

/// `POST /api/rooms`: a public or private room named like a channel, or a group.
pub async fn create(mut req: Request, env: &Env) -> Result<Response> {
    let (_, user) = attempt!(guard::user(&req, env).await);
    let body: NewRoom = attempt!(read_json(&mut req).await);
    create_for(env, &user, body).await
}

/// Creates a room for `user` (over HTTP, or `create-room` on the inbox socket).
pub async fn create_for(env: &Env, user: &users::UserRow, body: NewRoom) -> Result<Response> {
    let name = match edgechat_auth::names::display_name(&body.name) {
        Ok(name) => name,
        Err(e) => {
            return http::field_error(&edgechat_auth::names::FieldError { field: "name", ..e });
        }
    };
    let limits = crate::config::limits(env);
    let starting = 1 + body.members.len() as u64;
    if let Some(why) = body
        .capacity
        .and_then(|cap| edgechat_core::room::capacity_refused(cap, starting, &limits))
    {
        return http::error(ErrorCode::BadRequest, &why);
    }
    if body.members.len() > MAX_MEMBERS {
        return http::error(
            ErrorCode::TooManyMembers,
            "a room starts with at most 100 invited members",
        );
    }
    let (room_id, kind) = if body.group {
        (crate::auth::random_id(ids::GROUP_PREFIX), RoomKind::Group)
    } else {
        let Some(slug) = ids::room_slug(&name) else {
            return http::error(ErrorCode::Invalid, "a room name needs a letter or digit");
        };
        let kind = if body.is_private {
            RoomKind::Private
        } else {
            RoomKind::Public
        };
        (slug, kind)
    };
    // Every room is an object and a directory row: one account makes a few an hour
    // (`ROOMS_CREATED_PER_HOUR`), counted before the room exists, refused or not.
    let db = crate::storage::d1(env)?;
    let key = format!("rooms:{}", user.id);
    let limit = crate::config::number(env, "ROOMS_CREATED_PER_HOUR", 20) as u32;
    let now = Date::now().as_millis();
    if let Some(refused) = throttle::hourly(env, &db, &key, limit, now).await? {
        return Ok(refused);
    }
    // A channel's name is its own: another room renamed to it keeps it.
    if kind != RoomKind::Group && crate::room_object::name_taken(env, &room_id, &name).await? {
        return http::error(ErrorCode::RoomExists, "another room has that name");
    }
    let members = attempt!(resolve(env, &body.members).await);
    let info = RoomInfo {
        room_id,
        name,
        kind,
        capacity: body.capacity,
        created_by: user.id.clone(),
        created_at: now,
        topic: String::new(),
    };
    let creation = Creation {
        info,
        creator: Identity::from(user),
        members,
    };
    RoomStub::new(env, &creation.info.room_id)?
        .create(creation)
        .await
}

/// `POST /api/rooms/direct`: the one room shared with another user, created the first time.
pub async fn direct(mut req: Request, env: &Env) -> Result<Response> {
    let (_, user) = attempt!(guard::user(&req, env).await);
    let body: NewDirect = attempt!(read_json(&mut req).await);
    if body.user_id == user.id {
        return http::error(ErrorCode::BadRequest, "a direct room is with someone else");
    }
    let members = attempt!(resolve(env, std::slice::from_ref(&body.user_id)).await);
    let names: Vec<&str> = std::iter::once(user.display_name.as_str())
        .chain(members.iter().map(|(_, n)| n.as_str()))
        .collect();
    let creation = Creation {
        info: RoomInfo {
            room_id: ids::direct_room_id(&user.id, &body.user_id),
            name: names.join(", "),
            kind: RoomKind::Direct,
            capacity: Some(2),
            created_by: user.id.clone(),
            created_at: Date::now().as_millis(),
            topic: String::new(),
        },
        creator: Identity::from(&user),
        members,
    };
    // A direct room made before direct ids had their own prefix is found again, but only
    // when it is stored as direct with both as members: a public room may hold that id.
    let legacy = ids::legacy_direct_room_id(&user.id, &body.user_id);
    if attempt!(listed(env, &legacy, "direct").await) {
        let mut found = RoomStub::new(env, &legacy)?
            .find_direct(&user.id, &body.user_id)
            .await?;
        if found.status_code() == 200 {
            return http::json(200, &found.json::<serde_json::Value>().await?);
        }
    }
    // Found again (200), created (201), or refused: the room object checks its stored
    // kind and members, so nothing else that holds the id passes for it.
    RoomStub::new(env, &creation.info.room_id)?
        .create(creation)
        .await
}

/// Whether D1's directory lists `room_id` as a room of `kind`.
async fn listed(env: &Env, room_id: &str, kind: &str) -> std::result::Result<bool, Response> {
    let db = crate::storage::d1(env).map_err(|err| crate::storage::refusal(&err, "no database"))?;
    let row = db
        .prepare("SELECT 1 AS found FROM rooms WHERE id = ?1 AND kind = ?2")
        .bind(&[JsValue::from_str(room_id), JsValue::from_str(kind)])
        .map_err(|err| crate::storage::refusal(&err, "rooms could not be read"))?
        .first::<serde_json::Value>(None)
        .await
        .map_err(|err| crate::storage::refusal(&err, "rooms could not be read"))?;
    Ok(row.is_some())
}

/// The ids and display names of the users to invite; every one must exist.
async fn resolve(
    env: &Env,
    ids: &[String],
) -> std::result::Result<Vec<(String, String)>, Response> {
    let db = crate::storage::d1(env).map_err(|err| crate::storage::refusal(&err, "no database"))?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        match users::by_id(&db, id).await {
            Ok(Some(user)) if !user.is_disabled() => found.push((user.id, user.display_name)),
            Ok(_) => {
                return Err(http::refusal(
                    ErrorCode::UnknownUser,
                    &format!("no user {id:?}"),
                ));
            }
            Err(_) => {
                return Err(http::refusal(
                    ErrorCode::Internal,
                    "users could not be read",
                ));
            }
        }
    }
    Ok(found)
}

/// `GET /api/rooms`: the caller's rooms with unread and mention counts, newest activity
/// first. Counts come from D1, which the write-behind keeps within a second or so. A
/// conversation (direct or group) also lists its other members' display names, the
/// caller left out, up to [`PEOPLE_NAMED`]: what the client names it by. D1 writes the
/// list as JSON itself ([`listing`]).
pub async fn mine(req: Request, env: &Env) -> Result<Response> {
    let (_, user) = attempt!(guard::user(&req, env).await);
    let rooms = crate::storage::d1(env)?
        .prepare(
            "SELECT json_group_array(json_object('roomId', id, 'name', name, 'kind', kind,
                     'capacity', capacity, 'topic', topic, 'role', role, 'lastReadSeq', last_read_seq,
                     'unreadCount', unread_count, 'mentionCount', mention_count, 'people', json(people))
                 ORDER BY last_at IS NULL, last_at DESC, name) AS rooms
             FROM (SELECT r.id, r.name, r.kind, r.capacity, r.topic, m.role, m.last_read_seq,
                 (SELECT COUNT(*) FROM messages g WHERE g.room_id = r.id AND g.seq > m.last_read_seq
                     AND g.user_id != ?1 AND g.deleted = 0) AS unread_count,
                 (SELECT COUNT(*) FROM mentions n JOIN messages g ON g.id = n.message_id
                     WHERE n.user_id = ?1 AND g.room_id = r.id AND g.seq > m.last_read_seq AND g.deleted = 0) AS mention_count,
                 (SELECT MAX(created_at) FROM messages g WHERE g.room_id = r.id) AS last_at,
                 CASE WHEN r.kind IN ('direct', 'group') THEN
                     (SELECT json_group_array(name) FROM
                         (SELECT u.display_name AS name FROM room_members o JOIN users u ON u.id = o.user_id
                          WHERE o.room_id = r.id AND o.member = 1 AND o.user_id != ?1
                          ORDER BY u.display_name LIMIT ?2))
                 END AS people
             FROM room_members m JOIN rooms r ON r.id = m.room_id
             WHERE m.user_id = ?1 AND m.member = 1)",
        )
        .bind(&[
            JsValue::from_str(&user.id),
            JsValue::from_f64(f64::from(PEOPLE_NAMED)),
        ])?
        .first::<String>(Some("rooms"))
        .await?;
    listing(rooms)
}

/// How many of a conversation's other members `GET /api/rooms` names.
const PEOPLE_NAMED: u32 = 8;

/// `GET /api/rooms/public?q=`: public rooms whose name contains `q`.
pub async fn public(req: Request, env: &Env) -> Result<Response> {
    attempt!(guard::user(&req, env).await);
    let url = req.url()?;
    let q: String = url
        .query_pairs()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.chars().take(64).collect())
        .unwrap_or_default();
    let pattern = format!(
        "%{}%",
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rooms = crate::storage::d1(env)?
        .prepare(
            "SELECT json_group_array(json_object('roomId', id, 'name', name, 'kind', kind,
                     'capacity', capacity, 'topic', topic) ORDER BY name) AS rooms
             FROM (SELECT id, name, kind, capacity, topic FROM rooms
                 WHERE kind = 'public' AND (name LIKE ?1 ESCAPE '\\' OR id LIKE ?1 ESCAPE '\\')
                 ORDER BY name LIMIT 50)",
        )
        .bind(&[JsValue::from_str(&pattern)])?
        .first::<String>(Some("rooms"))
        .await?;
    listing(rooms)
}

/// `{"rooms": [...]}` from a list D1 wrote as JSON itself.
fn listing(rooms: Option<String>) -> Result<Response> {
    let rooms: serde_json::Value = serde_json::from_str(rooms.as_deref().unwrap_or("[]"))?;
    http::json(200, &json!({ "rooms": rooms }))
}
