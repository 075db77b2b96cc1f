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
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    pub rooms: Vec<RoomEntry>,
    pub open: Option<String>,
    /// How far the user read each room here, ahead of what the server's list may say
    /// until its write-behind catches up.
    read_here: BTreeMap<String, Seq>,
}

impl Directory {
    /// The server's list, with the open room and rooms read here since counted as read.
    pub fn load(&mut self, rooms: Vec<RoomEntry>) {
        self.rooms = rooms;
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

    /// A notification from the inbox. Returns whether it deserves an alert: a mention,
    /// or anything in a direct room, when that room is not the one open.
    pub fn notified(&mut self, room_id: &str, kind: NotificationKind) -> bool {
        if self.open.as_deref() == Some(room_id) {
            return false;
        }
        let Some(room) = self.entry(room_id) else {
            return kind == NotificationKind::Mention;
        };
        room.unread = room.unread.max(1);
        if kind == NotificationKind::Mention {
            room.mentions += 1;
        }
        kind == NotificationKind::Mention || room.kind == RoomKind::Direct
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
            });
        }
    }

    pub fn total_unread(&self) -> u64 {
        self.rooms.iter().map(|r| r.unread).sum()
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
                    || r.name.to_lowercase().contains(&filter)
                    || r.room_id.contains(&filter)
            })
            .collect()
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
            !directory.notified("one", NotificationKind::Unread),
            "the open room"
        );
        assert!(
            directory.notified("dm", NotificationKind::Unread),
            "a direct message"
        );
        assert_eq!(directory.total_unread(), 3);
        assert!(directory.notified("two", NotificationKind::Mention));
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
        assert!(directory.notified("dm", NotificationKind::Unread));
        assert!(!directory.notified("two", NotificationKind::Unread));
        assert!(directory.notified("two", NotificationKind::Mention));
        directory.open("dm");
        assert!(!directory.notified("dm", NotificationKind::Mention));
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
}
