//! The members as the client holds them: the pages loaded so far, how many there are in
//! all, who is online and each one's status and role.

use edgechat_protocol::{Id, Millis, Role, RoomEvent, RoomUser, ServerMsg, Status, frame};

use super::ChatState;

impl ChatState {
    /// The first page of members, from a `room-joined`.
    pub(super) fn roster(&mut self, users: Vec<RoomUser>, member_count: u64) {
        self.online = users
            .iter()
            .filter(|u| u.online)
            .map(|u| u.user_id.clone())
            .collect();
        // The page is in id order (the joiner first when beyond it): the next starts
        // after its last.
        let last = users.last().map(|u| u.user_id.clone());
        self.users = users.into_iter().map(|u| (u.user_id.clone(), u)).collect();
        // A server before version 3 lists every member and counts none.
        self.member_count = member_count.max(self.users.len() as u64);
        self.members_after = last.filter(|_| self.member_count > self.users.len() as u64);
    }

    /// A further page of members, from a `member-page`.
    pub(super) fn member_page(&mut self, users: Vec<RoomUser>, has_more: bool) {
        let last = users.last().map(|u| u.user_id.clone());
        for user in users {
            self.users.insert(user.user_id.clone(), user);
        }
        self.members_after = last.filter(|_| has_more);
    }

    /// Everyone online now, from `online-users`.
    pub(super) fn online_now(&mut self, user_ids: Vec<Id>) {
        for user in self.users.values_mut() {
            user.online = user_ids.contains(&user.user_id);
        }
        self.online = user_ids.into_iter().collect();
    }

    /// How many members are online, loaded or not.
    pub fn online_count(&self) -> u64 {
        self.online_count.unwrap_or(self.online.len() as u64)
    }

    /// The arrivals of a presence window, from `members-arrived`: each applied as its
    /// own frame would be. A join at or below the seq already seen is in the
    /// `room-joined` or the replay that came before.
    pub(super) fn arrived(&mut self, joined: Vec<RoomEvent>, statuses: Vec<frame::UserStatus>) {
        for event in joined {
            if event.seq() > self.seen {
                self.apply(ServerMsg::Event(event));
            }
        }
        for status in statuses {
            self.apply(ServerMsg::UserStatus(status));
        }
    }

    /// Who came and went, from `presence-changed`.
    pub(super) fn came_and_went(&mut self, online: Vec<Id>, offline: Vec<Id>) {
        for (ids, now_online) in [(online, true), (offline, false)] {
            for id in ids {
                if let Some(user) = self.users.get_mut(&id) {
                    user.online = now_online;
                }
                if now_online {
                    self.online.insert(id);
                } else {
                    self.online.remove(&id);
                }
            }
        }
    }

    /// A member's status, from `user-status`. A member not loaded yet carries theirs
    /// when their page comes.
    pub(super) fn status(
        &mut self,
        user_id: &str,
        status: Status,
        last_seen: Option<Millis>,
        status_text: Option<String>,
    ) {
        if let Some(user) = self.users.get_mut(user_id) {
            user.status = status;
            user.last_seen = last_seen;
            user.status_text = status_text;
        }
    }

    /// A member joined (or came back), from `user-joined`.
    pub(super) fn joined(&mut self, user_id: Id, username: String, handle: String, role: Role) {
        let known = self.users.remove(&user_id);
        if known.is_none() {
            self.member_count += 1;
        }
        // Their inbox's word on their status comes separately, as the room's member
        // table keeps it.
        let status = known.as_ref().map_or(Status::Offline, |u| u.status);
        self.users.insert(
            user_id.clone(),
            RoomUser {
                user_id,
                username,
                handle,
                role,
                online: true,
                status,
                last_seen: known.as_ref().and_then(|u| u.last_seen),
                status_text: known.and_then(|u| u.status_text),
            },
        );
    }

    /// A user was invited (made a member without being here), from `user-invited`.
    pub(super) fn invited(&mut self, user_id: Id, username: String) {
        if !self.users.contains_key(&user_id) {
            self.member_count += 1;
        }
        self.users.entry(user_id.clone()).or_insert(RoomUser {
            user_id,
            username,
            handle: String::new(),
            role: Role::Member,
            online: false,
            status: Status::Offline,
            last_seen: None,
            status_text: None,
        });
    }

    /// A member left, was kicked or was banned.
    pub(super) fn gone(&mut self, user_id: &str) {
        // One not loaded is counted gone too when members remain unloaded.
        if self.users.remove(user_id).is_some() || self.members_after.is_some() {
            self.member_count = self.member_count.saturating_sub(1);
        }
        self.typing.remove(user_id);
    }

    /// A member's role changed, perhaps the user's own.
    pub(super) fn role_changed(&mut self, user_id: &str, role: Role) {
        if user_id == self.me {
            self.your_role = role;
        }
        if let Some(user) = self.users.get_mut(user_id) {
            user.role = role;
        }
    }
}
