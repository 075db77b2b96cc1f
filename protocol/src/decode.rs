//! Decoding server frames by their `type` first.
//!
//! serde's derive for an internally tagged enum cannot know the variant until it has seen
//! the tag, so it buffers every frame into an intermediate tree and decodes each field's
//! type from that tree: in the web client that came to some 55 KB of the 460 KB gzipped
//! `.wasm`. Every frame the server sends has `type` as its first field (the derived
//! `Serialize` writes the tag first), so these decoders read the tag, then decode the
//! rest of the object straight into the variant's fields, with no buffer. A frame whose
//! first field is not `type` is refused with a message that says so; one of a `type`
//! this build does not know becomes [`ServerMsg::Unknown`].
//!
//! What each frame holds is declared once, in its table (`server.rs`, `event.rs`); the
//! decoders come from the tables. The golden samples round-trip every type through them.

use serde::{
    Deserialize, Deserializer,
    de::{Error, IgnoredAny, MapAccess, Visitor},
};

use crate::{RoomEvent, ServerMsg, UnknownMsg};

/// Reads the first key, which must be `type`, and its value. Every frame the server
/// sends has `type` first (the derived `Serialize` writes the tag first).
pub fn first_tag<'de, A: MapAccess<'de>>(map: &mut A) -> Result<String, A::Error> {
    match map.next_key::<String>()? {
        Some(key) if key == "type" => map.next_value(),
        Some(_) => Err(A::Error::custom("`type` must be the frame's first field")),
        None => Err(A::Error::missing_field("type")),
    }
}

/// Reads what is left of an object, so its end can follow.
fn drain<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

struct ServerFrame;

impl<'de> Visitor<'de> for ServerFrame {
    type Value = ServerMsg;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a server frame: an object whose first field is `type`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ServerMsg, A::Error> {
        let tag = first_tag(&mut map)?;
        let map = match ServerMsg::decode_row(&tag, map)? {
            Ok(msg) => return Ok(msg),
            Err(map) => map,
        };
        let mut map = match RoomEvent::decode_row(&tag, map)? {
            Ok(event) => return Ok(ServerMsg::Event(event)),
            Err(map) => map,
        };
        drain(&mut map)?;
        Ok(ServerMsg::Unknown(UnknownMsg { kind: tag }))
    }
}

impl<'de> Deserialize<'de> for ServerMsg {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ServerFrame)
    }
}

struct EventFrame;

impl<'de> Visitor<'de> for EventFrame {
    type Value = RoomEvent;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a durable room event: an object whose first field is `type`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RoomEvent, A::Error> {
        let tag = first_tag(&mut map)?;
        match RoomEvent::decode_row(&tag, map)? {
            Ok(event) => Ok(event),
            Err(_) => Err(A::Error::unknown_variant(&tag, RoomEvent::TYPES)),
        }
    }
}

impl<'de> Deserialize<'de> for RoomEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EventFrame)
    }
}
