//! The one kind of `ServerMsg` decoding the Worker needs: what rooms and inboxes pass
//! between them.

use edgechat_protocol::{ServerMsg, frame};
use serde::{
    Deserialize, Serialize,
    de::{Error, MapAccess, Visitor, value::MapAccessDeserializer},
};

/// A `ServerMsg` a room and an inbox pass between them: a status, a notification, a room
/// the user was added to. Written as the wire event, read back through just those kinds,
/// so the Worker does not carry `ServerMsg`'s whole decoder (every frame kind), which
/// nothing else in it needs.
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
        deserializer.deserialize_map(CarriedFrame)
    }
}

/// Reads the `type` first, then only the payloads of the three kinds: the frame table's
/// own structs (`edgechat_protocol::frame`), so their fields and defaults are written once.
struct CarriedFrame;

impl<'de> Visitor<'de> for CarriedFrame {
    type Value = Carried;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a user-status, notification or room-created frame")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Carried, A::Error> {
        let tag = edgechat_protocol::first_tag(&mut map)?;
        let fields = MapAccessDeserializer::new(map);
        Ok(Carried(match tag.as_str() {
            "user-status" => ServerMsg::UserStatus(frame::UserStatus::deserialize(fields)?),
            "notification" => ServerMsg::Notification(frame::Notification::deserialize(fields)?),
            "room-created" => ServerMsg::RoomCreated(frame::RoomCreated::deserialize(fields)?),
            other => {
                return Err(A::Error::unknown_variant(
                    other,
                    &["user-status", "notification", "room-created"],
                ));
            }
        }))
    }
}
