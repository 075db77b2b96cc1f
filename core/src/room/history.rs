//! Snapshots, history pages, and read state: each an indexed read of the store.

use edgechat_protocol::{ErrorCode, Message, Role, RoomUser, Seq, ServerMsg};

use super::{Effect, Identity, Outcome, Room};
use crate::sockets::SocketEffect;
use crate::{
    limits::{MAX_HISTORY_PAGE, MAX_MEMBER_PAGE},
    store::{Member, Sql, StoreError},
};
use edgechat_protocol::frame;

/// The wire version from which `room-joined` lists one page of the members.
const PAGED_MEMBERS: u32 = 3;

impl<S: Sql> Room<S> {
    /// The room as `who` sees it now; with `history`, its newest messages too.
    pub(super) fn room_joined(
        &self,
        who: &Identity,
        history: bool,
        req_id: Option<String>,
    ) -> Result<ServerMsg, StoreError> {
        // One page and the furthest read marks: a join costs the same in a room of ten
        // thousand as in a room of ten. A socket of version 1 or 2 predates paging and
        // expects every member; it gets the largest page there is, and no more.
        let paged = who.version >= PAGED_MEMBERS;
        let page = if paged {
            self.limits.member_page
        } else {
            MAX_MEMBER_PAGE
        };
        let (mut members, _) = self.store.members_after("", page)?;
        // The joiner comes first when beyond the page, so the page's last member is
        // still where the next page starts.
        if !members.iter().any(|m| m.user_id == who.user_id)
            && let Some(me) = self.store.member(&who.user_id)?
        {
            members.insert(0, me);
        }
        let read_marks = self.store.furthest_read_marks(page)?;
        let member_count = if paged {
            self.store.member_count()?
        } else {
            members.len() as u64
        };
        let your_role = members
            .iter()
            .find(|m| m.user_id == who.user_id)
            .map_or(Role::Member, |m| m.role);
        let users = members
            .into_iter()
            .map(|member| self.room_user(member))
            .collect();
        let message_history = if history {
            self.store
                .messages_before(Seq::MAX, self.limits.history_page)?
                .0
        } else {
            Vec::new()
        };
        Ok(ServerMsg::RoomJoined(frame::RoomJoined {
            room_id: self.info.room_id.clone(),
            room: self.info.clone(),
            users,
            member_count,
            message_history,
            your_role,
            head_seq: self.head,
            last_read_seq: self.store.read_mark(&who.user_id)?,
            unread_count: self.store.unread_count(&who.user_id)?,
            read_marks,
            slow_mode: self.store.slow_mode()?,
            online_count: (who.version >= super::arrivals::TOLD_TOGETHER)
                .then(|| self.online_count()),
            req_id,
        }))
    }

    /// `list-members`: the next page of members by id.
    pub(super) fn member_page(
        &self,
        conn: &str,
        after: Option<&str>,
        req_id: Option<String>,
    ) -> Outcome {
        let (members, has_more) = self
            .store
            .members_after(after.unwrap_or(""), self.limits.member_page)?;
        Ok(vec![Effect::Socket(SocketEffect::Send {
            conn: conn.to_owned(),
            msg: ServerMsg::MemberPage(frame::MemberPage {
                room_id: self.info.room_id.clone(),
                users: members
                    .into_iter()
                    .map(|member| self.room_user(member))
                    .collect(),
                has_more,
                req_id,
            }),
        })])
    }

    fn room_user(&self, member: Member) -> RoomUser {
        RoomUser {
            online: self.is_here(&member.user_id),
            user_id: member.user_id,
            username: member.username,
            handle: member.handle,
            role: member.role,
            status: member.status,
            last_seen: member.last_seen,
            status_text: member.status_text,
        }
    }

    pub(super) fn history_page(
        &self,
        conn: &str,
        before_seq: Seq,
        limit: Option<u32>,
        req_id: Option<String>,
    ) -> Outcome {
        let (messages, has_more) = self.store.messages_before(before_seq, self.page(limit))?;
        Ok(vec![Effect::Socket(SocketEffect::Send {
            conn: conn.to_owned(),
            msg: ServerMsg::HistoryPage(frame::HistoryPage {
                room_id: self.info.room_id.clone(),
                messages,
                has_more,
                req_id,
            }),
        })])
    }

    fn page(&self, limit: Option<u32>) -> usize {
        limit
            .map_or(self.limits.history_page, |l| l as usize)
            .clamp(1, MAX_HISTORY_PAGE)
    }

    /// A page of history for `user_id` over HTTP: members read any room, others only a
    /// public one; a banned user reads nothing.
    pub fn history_for(
        &self,
        user_id: &str,
        global_admin: bool,
        before: Option<Seq>,
        limit: Option<u32>,
    ) -> Result<Result<(Vec<Message>, bool), super::Refusal>, StoreError> {
        let member = self.store.is_member(user_id)?;
        if !global_admin
            && (self.store.is_banned(user_id)? || (!member && !self.info.kind.open_to_all()))
        {
            return Ok(Err(super::Refusal::new(
                ErrorCode::Forbidden,
                "you may not read this room",
            )));
        }
        Ok(Ok(self.store.messages_before(
            before.unwrap_or(Seq::MAX),
            self.page(limit),
        )?))
    }

    /// `mark-read`: read marks only move forward, and never past the head.
    pub(super) fn mark_read(&mut self, who: &Identity, seq: Seq) -> Outcome {
        let seq = seq.min(self.head);
        if seq <= self.store.read_mark(&who.user_id)? {
            return Ok(Vec::new());
        }
        self.store.save_read_mark(&who.user_id, seq)?;
        Ok(vec![Effect::Socket(SocketEffect::Broadcast {
            msg: ServerMsg::ReadReceipt(frame::ReadReceipt {
                user_id: who.user_id.clone(),
                seq,
            }),
            except: None,
        })])
    }
}
