//! What the client knows, changed only by [`ChatState::apply`] and the few user actions
//! below, so it is plain Rust and tested natively.

mod members;
mod notes;
mod outbox;
mod reading;
mod settings;
mod snapshot;
mod timeline;

pub use notes::{Moderated, Note};
pub use outbox::Pending;
pub use reading::{GROUP_WITHIN_MS, announcement, continues, plural};
pub use settings::Settings;
pub use timeline::Row;

use std::collections::BTreeMap;

use edgechat_protocol::frame;
use edgechat_protocol::{Id, Message, Millis, Role, RoomEvent, RoomUser, Seq, ServerMsg};

/// The state of the room socket, shown in the connection banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Connection {
    #[default]
    Connecting,
    Connected,
    /// Lost; a reconnect is scheduled.
    Disconnected,
    /// Closed by the server, with this close code, for a reason retrying cannot change
    /// (kicked, banned, replaced by newer sockets).
    Closed(u16),
    /// The socket was refused and the server says the room does not exist: nothing is
    /// retried until the user creates it.
    Missing,
    /// The socket was refused and the server says the user may not open the room
    /// (private, or banned from it).
    Forbidden,
}

impl Connection {
    /// Whether what the user writes can go anywhere, now or after a reconnect.
    pub fn takes_messages(self) -> bool {
        !matches!(
            self,
            Connection::Closed(_) | Connection::Missing | Connection::Forbidden
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChatState {
    pub room: String,
    /// The signed-in user, to tell their own messages and typing apart.
    pub me: Id,
    pub your_role: Role,
    pub connection: Connection,
    /// Messages in seq order, each once.
    pub messages: Vec<Message>,
    pub pending: Vec<Pending>,
    /// The latest error the server reported, until the next successful send.
    pub last_error: Option<String>,
    /// How long that error holds, in ms, when it says (a limit's wait, slow mode's): it
    /// goes once the wait is over.
    pub error_lasts: Option<u64>,
    /// Members by id, with their role and whether they are here now: in a big room only
    /// the pages loaded so far (`list-members` loads the next).
    pub users: BTreeMap<Id, RoomUser>,
    /// How many members the room has, loaded or not.
    pub member_count: u64,
    /// Members beyond those loaded: the id to ask for the next page after.
    pub members_after: Option<Id>,
    /// Who is online as far as the client knows: everyone, from a server before
    /// version 5; from version 5, those of the pages loaded and those told since.
    pub online: std::collections::BTreeSet<Id>,
    /// How many are online, as a server of version 5 counts them; `None` when `online`
    /// is the whole set.
    online_count: Option<u64>,
    /// Who is typing (not the user), until when.
    pub typing: BTreeMap<Id, (String, Millis)>,
    /// How far each member has read.
    pub read_marks: BTreeMap<Id, Seq>,
    /// There are older messages than the first one loaded.
    pub has_more: bool,
    /// How far the user had read when they opened the room, for the "new messages"
    /// divider, and how many messages were unread then.
    pub read_at_open: Option<Seq>,
    pub unread_count: u64,
    /// Live messages from others not yet announced to a screen reader: by whom, and
    /// their first words ([`announcement`]).
    pub unheard: Vec<(String, String)>,
    /// A send the server refused, for the composer to offer again.
    pub returned: Option<Pending>,
    /// Quiet lines for membership and moderation seen here, by seq.
    pub notes: Vec<Note>,
    /// What programs answered this user alone (a command's ephemeral answer), oldest
    /// first: under the newest messages until dismissed, gone on reload.
    pub ephemerals: Vec<frame::Ephemeral>,
    /// What a moderator last did to the user here.
    pub moderated: Option<Moderated>,
    /// The room's settings, ban list and pins, for the settings panel.
    pub settings: Settings,
    /// Client ids this page saw acknowledged or refused: no outbox may keep them.
    settled: std::collections::BTreeSet<String>,
    /// The highest durable seq seen, to resume after a reconnect.
    seen: Seq,
}

impl ChatState {
    pub fn new(room: impl Into<String>) -> Self {
        Self {
            room: room.into(),
            ..Self::default()
        }
    }

    /// The state of `room` as `me` sees it.
    pub fn for_user(room: impl Into<String>, me: impl Into<Id>) -> Self {
        Self {
            me: me.into(),
            ..Self::new(room)
        }
    }

    /// Applies one event from the server. Live events applied to an older state end where
    /// a fresh `room-joined` starts (`tests/state.rs` checks it against the real room).
    pub fn apply(&mut self, msg: ServerMsg) {
        if let Some(seq) = msg.seq() {
            self.seen = self.seen.max(seq);
        }
        match msg {
            ServerMsg::RoomJoined(joined) if joined.room_id == self.room => {
                self.room_joined(joined)
            }
            ServerMsg::Resync(frame::Resync { room_id, .. }) if room_id == self.room => {
                self.messages.clear();
                self.seen = 0;
            }
            ServerMsg::HistoryPage(frame::HistoryPage {
                room_id,
                messages,
                has_more,
                ..
            }) if room_id == self.room => {
                self.has_more = has_more;
                for message in messages {
                    self.insert(message);
                }
            }
            ServerMsg::MemberPage(frame::MemberPage {
                room_id,
                users,
                has_more,
                ..
            }) if room_id == self.room => self.member_page(users, has_more),
            ServerMsg::BanPage(frame::BanPage {
                room_id,
                users,
                has_more,
                ..
            }) if room_id == self.room => self.settings.banned(users, has_more),
            ServerMsg::PinList(frame::PinList {
                room_id, messages, ..
            }) if room_id == self.room => self.settings.pins = Some(messages),
            ServerMsg::MessageAck(frame::MessageAck { client_msg_id, .. }) => {
                self.pending.retain(|p| p.client_msg_id != client_msg_id);
                self.settled.insert(client_msg_id);
                self.last_error = None;
            }
            ServerMsg::TypingIndicator(frame::TypingIndicator {
                room_id,
                user_id,
                username,
                is_typing,
                expires_at,
            }) if room_id == self.room && user_id != self.me => {
                if is_typing {
                    self.typing.insert(user_id, (username, expires_at));
                } else {
                    self.typing.remove(&user_id);
                }
            }
            ServerMsg::OnlineUsers(frame::OnlineUsers { room_id, user_ids })
                if room_id == self.room =>
            {
                self.online_count = None;
                self.online_now(user_ids)
            }
            ServerMsg::PresenceChanged(frame::PresenceChanged {
                room_id,
                online,
                offline,
                online_count,
            }) if room_id == self.room => {
                self.online_count = online_count.or(self.online_count);
                self.came_and_went(online, offline)
            }
            ServerMsg::MembersArrived(frame::MembersArrived {
                room_id,
                joined,
                statuses,
            }) if room_id == self.room => self.arrived(joined, statuses),
            ServerMsg::UserStatus(frame::UserStatus {
                user_id,
                status,
                last_seen,
                status_text,
            }) => self.status(&user_id, status, last_seen, status_text),
            ServerMsg::ReadReceipt(frame::ReadReceipt { user_id, seq }) => {
                let mark = self.read_marks.entry(user_id).or_default();
                *mark = (*mark).max(seq);
            }
            ServerMsg::Error(frame::Error {
                message,
                req_id,
                retry_after,
                ..
            }) => {
                // A refused send (it carries its client id as `reqId`) leaves the
                // outbox: it would be refused again, or posted much later as a surprise.
                // Its text goes back to the composer. Any code, `unknown` included, shows
                // only its message.
                if let Some(id) = req_id
                    && let Some(at) = self.pending.iter().position(|p| p.client_msg_id == id)
                {
                    let refused = self.pending.remove(at);
                    self.settled.insert(refused.client_msg_id.clone());
                    self.returned = Some(refused);
                }
                self.last_error = Some(message);
                self.error_lasts = retry_after;
            }
            ServerMsg::Ephemeral(answer) if answer.room_id == self.room => {
                self.ephemerals.push(answer);
            }
            ServerMsg::Event(event) => self.apply_event(event),
            // The socket reads a batch as its frames; one that reaches here is the same.
            ServerMsg::Batch(frame::Batch { frames }) => {
                frames.into_iter().for_each(|m| self.apply(m))
            }
            // Another room's frames, the user's own typing, and the inbox socket's.
            ServerMsg::RoomJoined(frame::RoomJoined { .. })
            | ServerMsg::Resync(frame::Resync { .. })
            | ServerMsg::HistoryPage(frame::HistoryPage { .. })
            | ServerMsg::MemberPage(frame::MemberPage { .. })
            | ServerMsg::BanPage(frame::BanPage { .. })
            | ServerMsg::PinList(frame::PinList { .. })
            | ServerMsg::TypingIndicator(frame::TypingIndicator { .. })
            | ServerMsg::OnlineUsers(frame::OnlineUsers { .. })
            | ServerMsg::PresenceChanged(frame::PresenceChanged { .. })
            | ServerMsg::MembersArrived(frame::MembersArrived { .. })
            | ServerMsg::Connected(frame::Connected { .. })
            | ServerMsg::Authenticated(frame::Authenticated { .. })
            | ServerMsg::RoomCreated(frame::RoomCreated { .. })
            | ServerMsg::Notification(frame::Notification { .. })
            | ServerMsg::Ephemeral(frame::Ephemeral { .. })
            | ServerMsg::Pong(frame::Pong {}) => {}
            // A type from a newer server: nothing here knows what it means.
            ServerMsg::Unknown(_) => {}
        }
    }

    /// Applies one durable room event; [`RoomEvent::apply_to`] says how it changes a
    /// message.
    fn apply_event(&mut self, event: RoomEvent) {
        self.note(&event);
        let message = event
            .message_id()
            .and_then(|id| self.messages.iter().find(|m| m.message_id == id));
        let name = match &event {
            RoomEvent::UserBanned { user_id, .. } => self.users.get(user_id),
            _ => None,
        }
        .map_or("", |u| u.username.as_str());
        self.settings.apply(&event, message, name);
        match event {
            RoomEvent::NewMessage(message) => {
                self.pending
                    .retain(|p| p.client_msg_id != message.client_msg_id);
                self.typing.remove(&message.user_id);
                self.insert(message);
            }
            RoomEvent::MessageEdited { .. }
            | RoomEvent::MessageDeleted { .. }
            | RoomEvent::ReactionUpdated { .. }
            | RoomEvent::MessagePinned { .. }
            | RoomEvent::MessageUnpinned { .. }
            | RoomEvent::LinkPreview { .. } => {
                if let Some(m) = event.message_id().and_then(|id| self.message_mut(id)) {
                    event.apply_to(m);
                }
            }
            RoomEvent::UserJoined {
                user_id,
                username,
                handle,
                role,
                ..
            } => self.joined(user_id, username, handle, role),
            RoomEvent::UserInvited {
                user_id, username, ..
            } => self.invited(user_id, username),
            RoomEvent::UserLeft { user_id, .. }
            | RoomEvent::UserKicked { user_id, .. }
            | RoomEvent::UserBanned { user_id, .. } => self.gone(&user_id),
            RoomEvent::RoleChanged { user_id, role, .. } => self.role_changed(&user_id, role),
            // Notes and the settings show these.
            RoomEvent::UserMuted { .. }
            | RoomEvent::UserUnmuted { .. }
            | RoomEvent::UserUnbanned { .. }
            | RoomEvent::SlowModeChanged { .. }
            | RoomEvent::RoomUpdated { .. } => {}
        }
    }

    /// The first message the user had not read when they opened the room (not their
    /// own), where the "new messages" divider goes.
    pub fn first_new(&self) -> Option<Seq> {
        let read = self.read_at_open?;
        self.messages
            .iter()
            .find(|m| m.seq > read && m.user_id != self.me)
            .map(|m| m.seq)
    }

    /// A message from someone else arrived while the user was looking: it is not news. The
    /// divider's mark moves past it unless a divider is already showing, so the divider
    /// marks only what arrived while they were not looking.
    pub fn saw_arrive(&mut self, seq: Seq) {
        if self.first_new().is_none() && self.read_at_open.is_some_and(|read| read < seq) {
            self.read_at_open = Some(seq);
        }
    }

    /// A live message from someone else, by `author` and its first `words`, for the
    /// screen reader's next announcement.
    pub fn to_announce(&mut self, author: String, words: String) {
        self.unheard.push((author, words));
    }

    /// The messages waiting to be announced, taken once.
    pub fn take_unheard(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.unheard)
    }

    /// The names of those typing now, in a stable order.
    pub fn typing_names(&self, now: Millis) -> Vec<String> {
        self.typing
            .values()
            .filter(|(_, until)| *until > now)
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// The live message `message_id`, if loaded.
    pub fn message(&self, message_id: &str) -> Option<&Message> {
        self.messages.iter().find(|m| m.message_id == message_id)
    }

    /// Something the user asked for did not happen: the room shows why until the next
    /// successful send.
    /// What the client itself tells the user alone (`/help`), shown as a program's answer
    /// for them is.
    pub fn tell(&mut self, from: &str, text: String) {
        self.ephemerals.push(frame::Ephemeral {
            room_id: self.room.clone(),
            user_id: String::new(),
            username: from.to_owned(),
            text,
            bot: None,
            req_id: None,
        });
    }

    /// Dismisses the program's answer at `at` among the ephemeral ones.
    pub fn dismiss_ephemeral(&mut self, at: usize) {
        if at < self.ephemerals.len() {
            self.ephemerals.remove(at);
        }
    }

    pub fn report(&mut self, message: impl Into<String>) {
        self.error_lasts = None;
        self.last_error = Some(message.into());
    }

    /// The wait `error` asked for is over: it goes, unless another came since.
    pub fn outlived(&mut self, error: &str) {
        if self.last_error.as_deref() == Some(error) {
            self.last_error = None;
            self.error_lasts = None;
        }
    }

    /// The refused send waiting to go back into the composer, taken once.
    pub fn take_returned(&mut self) -> Option<Pending> {
        self.returned.take()
    }

    /// The user's newest message still shown here, which Up in an empty composer edits.
    pub fn last_own_message(&self) -> Option<&str> {
        self.messages
            .iter()
            .rev()
            .find(|m| m.user_id == self.me && !m.deleted)
            .map(|m| m.message_id.as_str())
    }

    /// Forgets the ban list loaded, so the next `ban-page` starts it again.
    pub fn reload_bans(&mut self) {
        self.settings.bans = None;
    }

    /// Whether the user may pin and delete others' messages here.
    pub fn moderates(&self) -> bool {
        matches!(self.your_role, Role::Moderator | Role::Admin)
    }

    fn message_mut(&mut self, message_id: &str) -> Option<&mut Message> {
        self.messages
            .iter_mut()
            .find(|m| m.message_id == message_id)
    }

    /// The seq to resume after: `None` before anything was seen.
    pub fn seen_seq(&self) -> Option<Seq> {
        (self.seen > 0).then_some(self.seen)
    }

    pub fn set_connection(&mut self, connection: Connection) {
        self.connection = connection;
    }

    fn insert(&mut self, message: Message) {
        if message.room_id != self.room {
            return;
        }
        match self.messages.binary_search_by_key(&message.seq, |m| m.seq) {
            Ok(_) => {}
            Err(at) => self.messages.insert(at, message),
        }
    }
}
