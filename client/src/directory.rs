//! The user's rooms as the sidebar shows them: unread and mention counts, which room is
//! open, and the total for the tab title. Counts come from `GET /api/rooms` and rise with
//! the inbox's notifications in between. Plain Rust, tested natively.

use std::collections::BTreeMap;

use edgechat_protocol::{NotificationKind, RoomInfo, RoomKind, Seq};
use serde::Deserialize;

/// One room in the list, as `GET /api/rooms` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomEntry {
    pub room_id: String,
    pub name: String,
    pub kind: RoomKind,
    #[serde(default)]
    pub last_read_seq: Seq,
    #[serde(default, rename = "unreadCount")]
    pub unread: u64,
    #[serde(default, rename = "mentionCount")]
    pub mentions: u64,
    /// A conversation's other members by display name (the user left out), as the
    /// server's list names them; `None` for a channel, or before the list has come.
    #[serde(default)]
    pub people: Option<Vec<String>>,
}

impl RoomEntry {
    /// What the room is called: a conversation (direct or group) by the other people in
    /// it, never the user and never its id; a channel by its name.
    pub fn label(&self) -> String {
        match &self.people {
            Some(people) if self.is_conversation() && !people.is_empty() => people.join(", "),
            _ => self.name.clone(),
        }
    }

    /// The label as a heading says it: a channel with its `#`.
    pub fn heading(&self) -> String {
        if self.is_conversation() {
            self.label()
        } else {
            format!("#{}", self.name)
        }
    }

    pub fn is_conversation(&self) -> bool {
        matches!(self.kind, RoomKind::Direct | RoomKind::Group)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    pub rooms: Vec<RoomEntry>,
    pub open: Option<String>,
    /// How far the user read each room here, ahead of what the server's list may say
    /// until its write-behind catches up.
    read_here: BTreeMap<String, Seq>,
    /// Messages from others that arrived in the open room while the user was not
    /// looking (tab hidden, window unfocused): counted in the title until they look.
    pub unseen: u64,
    /// The server's list has come at least once.
    pub loaded: bool,
    /// Rooms opened on this page, which the server's list may not have caught up with.
    opened_here: Vec<String>,
}

impl Directory {
    /// The server's list, with the open room and rooms read here since counted as read.
    pub fn load(&mut self, rooms: Vec<RoomEntry>) {
        self.rooms = rooms;
        self.loaded = true;
        for room in &mut self.rooms {
            let read_here = self.read_here.get(&room.room_id).copied().unwrap_or(0);
            if self.open.as_deref() == Some(room.room_id.as_str()) || read_here > room.last_read_seq
            {
                room.unread = 0;
                room.mentions = 0;
            }
        }
    }

    pub fn open(&mut self, room_id: &str) {
        self.open = Some(room_id.to_owned());
        if !self.knows(room_id) {
            self.opened_here.push(room_id.to_owned());
        }
        if let Some(room) = self.entry(room_id) {
            room.unread = 0;
            room.mentions = 0;
        }
    }

    /// The user saw `room_id` up to `seq`.
    pub fn read(&mut self, room_id: &str, seq: Seq) {
        let mark = self.read_here.entry(room_id.to_owned()).or_default();
        *mark = (*mark).max(seq);
        if let Some(room) = self.entry(room_id) {
            room.unread = 0;
            room.mentions = 0;
        }
    }

    /// A notification from the inbox about `room_id` as of `seq`, with the room's count
    /// of unread messages when the room sent one. Returns whether it deserves an alert:
    /// a mention, or a new message in a direct room, when that room is not the one open.
    pub fn notified(
        &mut self,
        room_id: &str,
        kind: NotificationKind,
        seq: Seq,
        count: Option<u64>,
    ) -> bool {
        if self.open.as_deref() == Some(room_id) {
            return false;
        }
        // Read here since: the notification is older than what the user saw.
        if self.read_here.get(room_id).is_some_and(|read| *read >= seq) {
            return false;
        }
        let Some(room) = self.entry(room_id) else {
            return kind == NotificationKind::Mention;
        };
        let before = room.unread;
        room.unread = match count {
            // The room's own count: the badge's value, however many came before.
            Some(count) => count,
            None => room.unread.max(1),
        };
        if kind == NotificationKind::Mention {
            room.mentions += 1;
        }
        kind == NotificationKind::Mention
            || (room.kind == RoomKind::Direct && (count.is_none() || room.unread > before))
    }

    /// A message from someone else reached the open room while the user was not looking.
    pub fn unseen_message(&mut self) {
        self.unseen += 1;
    }

    /// The user is looking again: what arrived meanwhile is in front of them.
    pub fn looking(&mut self) {
        self.unseen = 0;
    }

    /// Whether `room_id` is one of the user's: in the list, or opened on this page.
    pub fn knows(&self, room_id: &str) -> bool {
        self.opened_here.iter().any(|r| r == room_id)
            || self.rooms.iter().any(|r| r.room_id == room_id)
    }

    pub fn entry_of(&self, room_id: &str) -> Option<&RoomEntry> {
        self.rooms.iter().find(|r| r.room_id == room_id)
    }

    /// The room `step` places from `open` in the list (Alt+↑, Alt+↓), stopping at either
    /// end; the first room when none is open.
    pub fn neighbour(&self, open: Option<&str>, step: isize) -> Option<String> {
        let at = open.and_then(|open| self.rooms.iter().position(|r| r.room_id == open));
        let to = match at {
            Some(at) => at.checked_add_signed(step)?,
            None => 0,
        };
        self.rooms.get(to).map(|r| r.room_id.clone())
    }

    /// The kind of `room_id`, if it is in the list.
    pub fn kind(&self, room_id: &str) -> Option<RoomKind> {
        self.rooms
            .iter()
            .find(|r| r.room_id == room_id)
            .map(|r| r.kind)
    }

    /// `room_id` was renamed (`room-updated`): the list shows the new name.
    /// The user left `room_id`: it leaves the list.
    pub fn left(&mut self, room_id: &str) {
        self.rooms.retain(|r| r.room_id != room_id);
    }

    pub fn renamed(&mut self, room_id: &str, name: &str) {
        if let Some(room) = self.rooms.iter_mut().find(|r| r.room_id == room_id) {
            name.clone_into(&mut room.name);
        }
    }

    /// A room the user was added to (`room-created` on the inbox).
    pub fn added(&mut self, info: &RoomInfo) {
        if self.entry(&info.room_id).is_none() {
            self.rooms.push(RoomEntry {
                room_id: info.room_id.clone(),
                name: info.name.clone(),
                kind: info.kind,
                last_read_seq: 0,
                unread: 0,
                mentions: 0,
                people: None,
            });
        }
    }

    /// Unread messages across the list, and those that arrived unseen in the open room.
    pub fn total_unread(&self) -> u64 {
        self.rooms.iter().map(|r| r.unread).sum::<u64>() + self.unseen
    }

    /// The tab title: the unread total first, when there is one.
    pub fn title(&self) -> String {
        match self.total_unread() {
            0 => "edgechat".to_owned(),
            n => format!("({n}) edgechat"),
        }
    }

    /// The rooms whose name or id contains `filter`, in any case.
    pub fn filtered(&self, filter: &str) -> Vec<&RoomEntry> {
        let filter = filter.trim().to_lowercase();
        self.rooms
            .iter()
            .filter(|r| {
                filter.is_empty()
                    || r.label().to_lowercase().contains(&filter)
                    || r.name.to_lowercase().contains(&filter)
                    || r.room_id.contains(&filter)
            })
            .collect()
    }

    /// The sidebar's two sections, channels then conversations, each in `order` (the
    /// list as it stood when the pointer came over it, so nothing moves under it; rooms
    /// new since go last), or in the server's order (newest activity first) with none.
    pub fn sections<'a>(
        entries: Vec<&'a RoomEntry>,
        order: Option<&[String]>,
    ) -> (Vec<&'a RoomEntry>, Vec<&'a RoomEntry>) {
        let mut entries = entries;
        if let Some(order) = order {
            let place = |r: &RoomEntry| order.iter().position(|id| *id == r.room_id);
            // Stable: rooms new since keep the server's order among themselves.
            entries.sort_by_key(|r| place(r).unwrap_or(usize::MAX));
        }
        entries.into_iter().partition(|r| !r.is_conversation())
    }

    fn entry(&mut self, room_id: &str) -> Option<&mut RoomEntry> {
        self.rooms.iter_mut().find(|r| r.room_id == room_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rooms() -> Vec<RoomEntry> {
        serde_json::from_str(
            r#"[{"roomId":"one","name":"one","kind":"public","lastReadSeq":3,"unreadCount":0,"mentionCount":0},
                {"roomId":"two","name":"Two","kind":"public","lastReadSeq":1,"unreadCount":2,"mentionCount":1},
                {"roomId":"dm","name":"Ana, Bo","kind":"direct"}]"#,
        )
        .unwrap()
    }

    #[test]
    fn unread_rises_in_other_rooms_and_clears_on_read() {
        let mut directory = Directory::default();
        directory.load(rooms());
        directory.open("one");
        assert_eq!(directory.title(), "(2) edgechat");
        assert!(
            !directory.notified("one", NotificationKind::Unread, 4, None),
            "the open room"
        );
        assert!(
            directory.notified("dm", NotificationKind::Unread, 1, None),
            "a direct message"
        );
        assert_eq!(directory.total_unread(), 3);
        assert!(directory.notified("two", NotificationKind::Mention, 5, None));
        assert_eq!(directory.rooms[1].mentions, 2);
        directory.open("two");
        directory.read("two", 9);
        assert_eq!(directory.title(), "(1) edgechat");
        // A list fetched before the server saw the read mark does not bring it back.
        directory.open("one");
        directory.load(rooms());
        assert_eq!(directory.rooms[1].unread, 0);
    }

    #[test]
    fn alerts_are_for_mentions_and_direct_messages_elsewhere() {
        let mut directory = Directory::default();
        directory.load(rooms());
        directory.open("one");
        assert!(directory.notified("dm", NotificationKind::Unread, 1, Some(1)));
        assert!(
            !directory.notified("dm", NotificationKind::Unread, 1, Some(1)),
            "the same count again is no new message"
        );
        assert!(directory.notified("dm", NotificationKind::Unread, 2, Some(2)));
        assert!(!directory.notified("two", NotificationKind::Unread, 5, Some(3)));
        assert!(directory.notified("two", NotificationKind::Mention, 6, None));
        directory.open("dm");
        assert!(!directory.notified("dm", NotificationKind::Mention, 3, None));
    }

    #[test]
    fn counts_follow_the_rooms_word_across_rooms_and_senders() {
        let mut directory = Directory::default();
        directory.load(rooms());
        directory.open("one");
        // Four messages in one room, told as the room counts them, and one the user
        // read here meanwhile in another: each badge says what the room said last.
        for (seq, count) in [(2, 1), (3, 2), (5, 3), (6, 4)] {
            directory.notified("two", NotificationKind::Unread, seq, Some(count));
        }
        directory.notified("dm", NotificationKind::Unread, 1, Some(1));
        assert_eq!(directory.rooms[1].unread, 4);
        assert_eq!(directory.title(), "(5) edgechat");
        directory.read("dm", 1);
        directory.notified("dm", NotificationKind::Unread, 1, Some(1));
        assert_eq!(
            directory.title(),
            "(4) edgechat",
            "a late count of what was read"
        );
        // Messages in the open room while the user looks away count until they look.
        directory.unseen_message();
        directory.unseen_message();
        assert_eq!(directory.title(), "(6) edgechat");
        directory.looking();
        assert_eq!(directory.title(), "(4) edgechat");
    }

    #[test]
    fn a_filter_matches_names_in_any_case() {
        let mut directory = Directory::default();
        directory.load(rooms());
        let names: Vec<&str> = directory
            .filtered("TW")
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(names, ["Two"]);
        assert_eq!(directory.filtered("").len(), 3);
    }

    #[test]
    fn a_conversation_is_named_by_the_other_people_and_a_channel_by_its_name() {
        let rooms: Vec<RoomEntry> = serde_json::from_str(
            r#"[{"roomId":"dm.1","name":"Ana Ada, Bob Brown","kind":"direct","people":["Bob Brown"]},
                {"roomId":"g.1","name":"bob, cyd","kind":"group","people":["Ana Ada","Cyd Chen"]},
                {"roomId":"hall","name":"Hall","kind":"public","people":null},
                {"roomId":"g.2","name":"bob, cyd","kind":"group"}]"#,
        )
        .unwrap();
        let labels: Vec<(String, String)> =
            rooms.iter().map(|r| (r.label(), r.heading())).collect();
        assert_eq!(
            labels,
            [
                ("Bob Brown".into(), "Bob Brown".into()),
                ("Ana Ada, Cyd Chen".into(), "Ana Ada, Cyd Chen".into()),
                ("Hall".into(), "#Hall".into()),
                // Before the server's list names the people: the room's own name.
                ("bob, cyd".into(), "bob, cyd".into()),
            ]
        );
        let directory = Directory {
            rooms,
            ..Directory::default()
        };
        let found: Vec<&str> = directory
            .filtered("cyd c")
            .iter()
            .map(|r| r.room_id.as_str())
            .collect();
        assert_eq!(
            found,
            ["g.1"],
            "the filter finds a conversation by its people"
        );
    }

    #[test]
    fn alt_arrows_step_through_the_list_and_stop_at_its_ends() {
        let directory = Directory {
            rooms: rooms(),
            ..Directory::default()
        };
        let step = |open: Option<&str>, step| directory.neighbour(open, step);
        assert_eq!(step(Some("two"), 1).as_deref(), Some("dm"));
        assert_eq!(step(Some("two"), -1).as_deref(), Some("one"));
        assert_eq!(step(Some("dm"), 1), None);
        assert_eq!(step(Some("one"), -1), None);
        assert_eq!(
            step(None, 1).as_deref(),
            Some("one"),
            "none open: the first"
        );
        assert_eq!(Directory::default().neighbour(None, 1), None);
    }

    #[test]
    fn channels_and_conversations_in_sections_and_in_place_under_the_pointer() {
        let directory = Directory {
            rooms: rooms(),
            ..Directory::default()
        };
        let ids = |list: &[&RoomEntry]| -> Vec<String> {
            list.iter().map(|r| r.room_id.clone()).collect()
        };
        let (channels, conversations) = Directory::sections(directory.filtered(""), None);
        assert_eq!(ids(&channels), ["one", "two"]);
        assert_eq!(ids(&conversations), ["dm"]);
        // The server now puts "two" first (news there), and a new room "new" first of
        // all; under the pointer, the order held stays and the new room goes last.
        let mut moved = directory.clone();
        moved.rooms.swap(0, 1);
        let mut fresh = moved.rooms[0].clone();
        fresh.room_id = "new".into();
        moved.rooms.insert(0, fresh);
        let held = ids(&directory.filtered(""));
        let (channels, _) = Directory::sections(moved.filtered(""), Some(&held));
        assert_eq!(ids(&channels), ["one", "two", "new"]);
        let (channels, _) = Directory::sections(moved.filtered(""), None);
        assert_eq!(ids(&channels), ["new", "two", "one"]);
    }
}
