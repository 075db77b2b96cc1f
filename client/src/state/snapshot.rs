//! A room as `room-joined` shows it: where the client starts, or picks up again after a
//! reconnect.

use edgechat_protocol::frame;

use super::{ChatState, Connection};

impl ChatState {
    /// The room's snapshot, from `room-joined`.
    pub(super) fn room_joined(&mut self, joined: frame::RoomJoined) {
        let frame::RoomJoined {
            users,
            member_count,
            message_history,
            your_role,
            head_seq,
            read_marks,
            last_read_seq,
            unread_count,
            room,
            slow_mode,
            online_count,
            ..
        } = joined;
        self.settings.info = Some(room);
        self.settings.slow_mode = slow_mode;
        // The first join sets the divider; a reconnect keeps it where it was.
        if self.read_at_open.is_none() {
            self.read_at_open = Some(last_read_seq);
            self.unread_count = unread_count;
        }
        self.connection = Connection::Connected;
        // A fresh join starts at the head; a resumed one advances only with the
        // replayed events that follow, so a drop mid-replay loses none of them.
        if self.seen == 0 {
            self.seen = head_seq;
        }
        self.your_role = your_role;
        self.roster(users, member_count);
        self.online_count = online_count;
        self.read_marks = read_marks;
        // The page holds the newest messages; older ones stay until scrolled. A
        // resumed join carries no page and leaves this as it was.
        if let Some(first) = message_history.first() {
            self.has_more = first.seq > 1;
        }
        for message in message_history {
            self.insert(message);
        }
    }
}
