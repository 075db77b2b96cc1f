use serde::{
    Deserialize, Serialize,
    de::{MapAccess, value::MapAccessDeserializer},
};

use crate::{ErrorCode, Message, RoomEvent, Seq, frame};

/// Declares [`ServerMsg`] from its frame table: one row a frame, `Variant = "type", since
/// N;` for the payload struct `frame::Variant`, the wire name and the wire version that
/// brought it. From the rows come the enum, [`ServerMsg::TYPES`],
/// [`ServerMsg::since_version`], a `From` of each payload, and the type-first decoder of
/// each (`decode.rs`). A row may carry `#[cfg(…)]`, which holds it out of other builds.
macro_rules! server_frames {
    ($(
        $(#[doc = $doc:literal])*
        $(#[cfg($cfg:meta)])?
        $Variant:ident = $name:literal, since $version:literal;
    )*) => {
        /// A server-to-client event. Durable room events ([`RoomEvent`]) carry the room's
        /// `seq`; typing, presence and replies to one request do not. Decoded by its
        /// `type` first (`decode.rs`), not by serde's derive, which would buffer every
        /// frame.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(tag = "type")]
        pub enum ServerMsg {
            $(
                $(#[doc = $doc])*
                $(#[cfg($cfg)])?
                #[serde(rename = $name)]
                $Variant(frame::$Variant),
            )*
            /// A durable room event: everything a room's log stores, with its seq.
            #[serde(untagged)]
            Event(RoomEvent),
            /// A frame of a type this build does not know, from a newer server: ignored,
            /// or shown generically.
            #[serde(untagged)]
            Unknown(UnknownMsg),
        }

        impl ServerMsg {
            /// The `type`s of the frame table's rows in this build, each with whether
            /// the build has it.
            const ROWS: &'static [(&'static str, bool)] =
                &[$(($name, true $(&& cfg!($cfg))?)),*];

            /// The protocol version that introduced this frame's kind. The server sends a
            /// frame only to sockets that offered `edgechat.v{kind_version}` or later, so
            /// a client never meets a frame kind newer than it says it knows (an unknown
            /// one still decodes, into [`ServerMsg::Unknown`]).
            pub fn kind_version(&self) -> u32 {
                match self {
                    $($(#[cfg($cfg)])? ServerMsg::$Variant(_) => $version,)*
                    ServerMsg::Event(_) | ServerMsg::Unknown(_) => 1,
                }
            }

            /// The room seq of a durable event; `None` for everything else.
            pub fn seq(&self) -> Option<Seq> {
                match self {
                    ServerMsg::Event(event) => Some(event.seq()),
                    $($(#[cfg($cfg)])? ServerMsg::$Variant(_) => None,)*
                    ServerMsg::Unknown(_) => None,
                }
            }

            /// The frame of the table's row named `tag`, decoded from the rest of `map`;
            /// `Err(map)` when no row has that name, so the caller may read it otherwise.
            pub(crate) fn decode_row<'de, A: MapAccess<'de>>(
                tag: &str,
                map: A,
            ) -> Result<Result<ServerMsg, A>, A::Error> {
                match tag {
                    $(
                        $(#[cfg($cfg)])?
                        $name => Ok(Ok(ServerMsg::$Variant(frame::$Variant::deserialize(
                            MapAccessDeserializer::new(map),
                        )?))),
                    )*
                    _ => Ok(Err(map)),
                }
            }
        }

        $(
            $(#[cfg($cfg)])?
            impl From<frame::$Variant> for ServerMsg {
                fn from(payload: frame::$Variant) -> Self {
                    ServerMsg::$Variant(payload)
                }
            }
        )*
    };
}

server_frames! {
    /// The first frame on the inbox socket.
    Connected = "connected", since 1;
    /// A fresh token was accepted on this socket.
    Authenticated = "authenticated", since 1;
    /// A request failed; the socket stays open.
    Error = "error", since 1;
    /// The first frame on a room socket: the room as it is now.
    RoomJoined = "room-joined", since 1;
    /// A room the user belongs to was created (inbox socket).
    RoomCreated = "room-created", since 1;
    /// To the sender only: its message is stored.
    MessageAck = "message-ack", since 1;
    TypingIndicator = "typing-indicator", since 1;
    UserStatus = "user-status", since 1;
    /// Who has a socket open to the room now: the whole set.
    OnlineUsers = "online-users", since 1;
    /// Who came online and who went offline since the last presence frame.
    PresenceChanged = "presence-changed", since 2;
    /// A member has read up to `seq`.
    ReadReceipt = "read-receipt", since 1;
    /// The answer to `load-history`.
    HistoryPage = "history-page", since 1;
    /// The answer to `list-members`.
    MemberPage = "member-page", since 3;
    /// The answer to `list-bans`.
    BanPage = "ban-page", since 4;
    /// The answer to `list-pins`.
    PinList = "pin-list", since 4;
    /// Who joined, and whose status arriving changed, within one presence window.
    MembersArrived = "members-arrived", since 5;
    /// `since` is too far back to replay: a fresh `room-joined` follows.
    Resync = "resync", since 1;
    /// The answer to a `ping` the room itself answers.
    Pong = "pong", since 1;
    /// Something in a room the user has no socket open to (inbox socket).
    Notification = "notification", since 1;
    /// Several frames for one socket, in the order they would have come one by one.
    Batch = "batch", since 6;
    /// A program's answer for one member alone (`run-command`); not stored.
    Ephemeral = "ephemeral", since 8;
}

/// A server frame of a type this build does not know: only its `type` is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownMsg {
    #[serde(rename = "type")]
    pub kind: String,
}

impl ServerMsg {
    /// How many rows of the frame table this build has.
    const OWN_COUNT: usize = kept_count(Self::ROWS);

    /// The `type`s of `ServerMsg`'s own variants, in the table's order.
    const OWN_TYPES: [&'static str; Self::OWN_COUNT] = kept::<{ Self::OWN_COUNT }>(Self::ROWS);

    /// Every `type` the server may send, in declaration order: its own, then every
    /// [`RoomEvent`]'s, so the durable ones cannot be listed in one place and not the other.
    pub const TYPES: &'static [&'static str] =
        &concat::<{ Self::OWN_COUNT + RoomEvent::TYPES.len() }>(&Self::OWN_TYPES, RoomEvent::TYPES);

    /// The wire version a socket must speak to be sent this frame as it is: its kind's
    /// ([`ServerMsg::kind_version`]), or that of a newer field a message in it carries
    /// ([`crate::MESSAGE_FIELDS`]) or the event it is has ([`crate::EVENT_FIELDS`]). A socket that knows the kind but not the field is sent
    /// [`ServerMsg::older`].
    pub fn since_version(&self) -> u32 {
        let kind = self.kind_version();
        match self {
            ServerMsg::Batch(batch) => batch
                .frames
                .iter()
                .map(Self::since_version)
                .fold(kind, u32::max),
            ServerMsg::Event(event) => kind.max(event.since_version()).max(
                self.messages()
                    .map(Message::since_version)
                    .fold(kind, u32::max),
            ),
            _ => self
                .messages()
                .map(Message::since_version)
                .fold(kind, u32::max),
        }
    }

    /// This frame for a socket that knows its kind but not every field in it: each
    /// message as [`Message::older`] makes it. `None` when it has no newer field.
    pub fn older(&self) -> Option<ServerMsg> {
        if self.since_version() == self.kind_version() {
            return None;
        }
        let mut older = self.clone();
        match &mut older {
            ServerMsg::Batch(batch) => {
                for frame in &mut batch.frames {
                    if let Some(old) = frame.older() {
                        *frame = old;
                    }
                }
            }
            ServerMsg::Event(event) if !matches!(event, RoomEvent::NewMessage(_)) => {
                *event = event.older();
            }
            _ => older.messages_mut(|message| *message = message.older()),
        }
        Some(older)
    }

    /// The messages this frame carries.
    fn messages(&self) -> impl Iterator<Item = &Message> {
        let (one, many): (Option<&Message>, &[Message]) = match self {
            ServerMsg::Event(RoomEvent::NewMessage(message)) => (Some(message), &[]),
            ServerMsg::RoomJoined(joined) => (None, &joined.message_history),
            ServerMsg::HistoryPage(page) => (None, &page.messages),
            ServerMsg::PinList(pins) => (None, &pins.messages),
            _ => (None, &[]),
        };
        one.into_iter().chain(many)
    }

    /// Changes each message this frame carries.
    fn messages_mut(&mut self, mut change: impl FnMut(&mut Message)) {
        match self {
            ServerMsg::Event(RoomEvent::NewMessage(message)) => change(message),
            ServerMsg::RoomJoined(joined) => joined.message_history.iter_mut().for_each(change),
            ServerMsg::HistoryPage(page) => page.messages.iter_mut().for_each(change),
            ServerMsg::PinList(pins) => pins.messages.iter_mut().for_each(change),
            _ => {}
        }
    }

    /// An `error` event with no `retryAfter`.
    pub fn error(code: ErrorCode, message: impl Into<String>, req_id: Option<String>) -> Self {
        ServerMsg::Error(frame::Error {
            code,
            message: message.into(),
            req_id,
            retry_after: None,
        })
    }

    /// The answer to a `ping`.
    pub fn pong() -> Self {
        ServerMsg::Pong(frame::Pong {})
    }
}

impl From<RoomEvent> for ServerMsg {
    fn from(event: RoomEvent) -> Self {
        ServerMsg::Event(event)
    }
}

/// How many of `rows` this build has.
const fn kept_count(rows: &[(&str, bool)]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < rows.len() {
        if rows[i].1 {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The names of the `N` rows this build has, in order.
const fn kept<const N: usize>(rows: &[(&'static str, bool)]) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut i, mut j) = (0, 0);
    while i < rows.len() {
        if rows[i].1 {
            out[j] = rows[i].0;
            j += 1;
        }
        i += 1;
    }
    out
}

/// `a` then `b`, in a constant.
const fn concat<const N: usize>(a: &[&'static str], b: &[&'static str]) -> [&'static str; N] {
    assert!(a.len() + b.len() == N);
    let mut out = [""; N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i];
        i += 1;
    }
    let mut i = 0;
    while i < b.len() {
        out[a.len() + i] = b[i];
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_frame_round_trips_and_is_held_to_its_version() {
        let batch = ServerMsg::Batch(frame::Batch {
            frames: vec![
                ServerMsg::pong(),
                ServerMsg::error(ErrorCode::Empty, "nothing to send", Some("r".into())),
            ],
        });
        let json = serde_json::to_string(&batch).unwrap();
        assert_eq!(
            json,
            r#"{"type":"batch","frames":[{"type":"pong"},{"type":"error","code":"empty","message":"nothing to send","reqId":"r"}]}"#
        );
        assert_eq!(serde_json::from_str::<ServerMsg>(&json).unwrap(), batch);
        assert_eq!(batch.since_version(), 6);
        assert!(ServerMsg::TYPES.contains(&"batch"));
    }

    #[test]
    fn a_moderators_deletion_names_them_from_version_9_and_an_older_socket_is_sent_it_without() {
        let deleted = |by: &str| {
            ServerMsg::Event(RoomEvent::MessageDeleted {
                message_id: "lobby:4".into(),
                by: by.into(),
                seq: 8,
            })
        };
        let moderated = deleted("u-9");
        assert_eq!(moderated.since_version(), 9);
        assert_eq!(moderated.older(), Some(deleted("")));
        assert_eq!(
            deleted("").since_version(),
            1,
            "an author's own needs no newer socket"
        );
        assert_eq!(deleted("").older(), None);
        assert!(
            !serde_json::to_string(&deleted(""))
                .unwrap()
                .contains(r#""by""#)
        );
        let batch = ServerMsg::Batch(frame::Batch {
            frames: vec![moderated],
        });
        assert_eq!(batch.since_version(), 9);
        assert_eq!(
            batch.older(),
            Some(ServerMsg::Batch(frame::Batch {
                frames: vec![deleted("")]
            }))
        );
    }
}
