//! The one kind of `ServerMsg` decoding the Worker needs: what rooms and inboxes pass
//! between them.

use edgechat_protocol::{RoomInfo, Seq, ServerMsg};
use serde::{Deserialize, Serialize};

/// A `ServerMsg` a room and an inbox pass between them: a status, a notification, a room
/// the user was added to. Written as the wire event, read back through a copy of just
/// those kinds, so the Worker does not carry `ServerMsg`'s whole decoder (every frame
/// kind, buffered through serde's `Content` for the internal tag), which nothing else in
/// it needs: that decoder was about a tenth of the Worker's code.
#[derive(Debug, Clone)]
pub struct Carried(pub ServerMsg);

impl Serialize for Carried {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Carried {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        use edgechat_protocol::{Id, Millis, NotificationKind, Status};
        use serde::de::Error;

        // Every field of the three kinds, read in one pass as a plain struct (an
        // internally tagged enum would buffer the object first), then checked by `type`.
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Flat {
            #[serde(rename = "type")]
            kind_of: String,
            user_id: Option<Id>,
            status: Option<Status>,
            last_seen: Option<Millis>,
            status_text: Option<String>,
            room_id: Option<Id>,
            kind: Option<NotificationKind>,
            seq: Option<Seq>,
            message_id: Option<Id>,
            from: Option<String>,
            excerpt: Option<String>,
            unread_count: Option<u64>,
            room: Option<RoomInfo>,
        }
        let flat = Flat::deserialize(deserializer)?;
        let missing = |field: &'static str| D::Error::missing_field(field);
        Ok(Carried(match flat.kind_of.as_str() {
            "user-status" => ServerMsg::UserStatus {
                user_id: flat.user_id.ok_or_else(|| missing("userId"))?,
                status: flat.status.ok_or_else(|| missing("status"))?,
                last_seen: flat.last_seen,
                status_text: flat.status_text,
            },
            "notification" => ServerMsg::Notification {
                room_id: flat.room_id.ok_or_else(|| missing("roomId"))?,
                kind: flat.kind.ok_or_else(|| missing("kind"))?,
                seq: flat.seq.ok_or_else(|| missing("seq"))?,
                message_id: flat.message_id,
                from: flat.from,
                excerpt: flat.excerpt,
                unread_count: flat.unread_count,
            },
            "room-created" => ServerMsg::RoomCreated {
                room: flat.room.ok_or_else(|| missing("room"))?,
            },
            other => {
                return Err(D::Error::unknown_variant(
                    other,
                    &["user-status", "notification", "room-created"],
                ));
            }
        }))
    }
}
