//! Snapshots, history pages, replay after a reconnect, and read state.

use edgechat_protocol::{Message, RoomEvent, RoomUser, Seq, ServerMsg};

use super::{Effect, Identity, Room};
use crate::limits::MAX_HISTORY_PAGE;

impl Room {
    /// The room as `who` sees it now; with `history`, its newest messages too.
    pub(super) fn room_joined(
        &self,
        who: &Identity,
        history: bool,
        req_id: Option<String>,
    ) -> ServerMsg {
        let online = self.online();
        let users = self
            .durable
            .members
            .iter()
            .map(|(user_id, member)| RoomUser {
                user_id: user_id.clone(),
                username: member.username.clone(),
                role: member.role,
                online: online.contains(user_id),
            })
            .collect();
        let message_history = if history {
            self.messages_before(Seq::MAX, self.limits.history_page).0
        } else {
            Vec::new()
        };
        let your_role = self
            .durable
            .members
            .get(&who.user_id)
            .map_or(edgechat_protocol::Role::Member, |m| m.role);
        ServerMsg::RoomJoined {
            room_id: self.info.room_id.clone(),
            room: self.info.clone(),
            users,
            message_history,
            your_role,
            head_seq: self.durable.head_seq,
            last_read_seq: self.durable.last_read(&who.user_id),
            unread_count: self.durable.unread_count(&who.user_id),
            read_marks: self
                .durable
                .read
                .iter()
                .filter(|(user_id, _)| self.durable.members.contains_key(*user_id))
                .map(|(user_id, seq)| (user_id.clone(), *seq))
                .collect(),
            slow_mode: self.durable.slow_mode,
            req_id,
        }
    }

    /// Up to `limit` messages with seq below `before`, oldest first, and whether older
    /// ones exist.
    fn messages_before(&self, before: Seq, limit: usize) -> (Vec<Message>, bool) {
        let mut page: Vec<Message> = self
            .durable
            .messages
            .range(..before)
            .rev()
            .take(limit + 1)
            .map(|(_, m)| m.clone())
            .collect();
        let has_more = page.len() > limit;
        page.truncate(limit);
        page.reverse();
        (page, has_more)
    }

    pub(super) fn history_page(
        &self,
        conn: &str,
        before_seq: Seq,
        limit: Option<u32>,
        req_id: Option<String>,
    ) -> Vec<Effect> {
        let limit = limit
            .map_or(self.limits.history_page, |l| l as usize)
            .clamp(1, MAX_HISTORY_PAGE);
        let (messages, has_more) = self.messages_before(before_seq, limit);
        vec![Effect::Send {
            conn: conn.to_owned(),
            msg: ServerMsg::HistoryPage {
                room_id: self.info.room_id.clone(),
                messages,
                has_more,
                req_id,
            },
        }]
    }

    /// A page of history for `user_id` over HTTP: members read any room, others only a
    /// public one; a banned user reads nothing.
    pub fn history_for(
        &self,
        user_id: &str,
        global_admin: bool,
        before: Option<Seq>,
        limit: Option<u32>,
    ) -> Result<(Vec<Message>, bool), edgechat_protocol::ErrorCode> {
        let member = self.durable.members.contains_key(user_id);
        if !global_admin
            && (self.durable.banned.contains(user_id) || (!member && !self.info.kind.open_to_all()))
        {
            return Err(edgechat_protocol::ErrorCode::Forbidden);
        }
        let limit = limit
            .map_or(self.limits.history_page, |l| l as usize)
            .clamp(1, MAX_HISTORY_PAGE);
        Ok(self.messages_before(before.unwrap_or(Seq::MAX), limit))
    }

    /// The durable events after `since`, when every one of them is still kept; `None`
    /// when the gap is too old (or `since` is from a future this room never had).
    pub(super) fn replay_after(&self, since: Seq) -> Option<Vec<ServerMsg>> {
        let head = self.durable.head_seq;
        if since > head {
            return None;
        }
        let oldest_kept = self.recent.front().map(RoomEvent::seq).unwrap_or(head + 1);
        if since + 1 < oldest_kept && since < head {
            return None;
        }
        Some(
            self.recent
                .iter()
                .filter(|e| e.seq() > since)
                .cloned()
                .map(ServerMsg::from)
                .collect(),
        )
    }

    /// `mark-read`: read marks only move forward, and never past the head.
    pub(super) fn mark_read(&mut self, who: &Identity, seq: Seq) -> Vec<Effect> {
        let seq = seq.min(self.durable.head_seq);
        if seq <= self.durable.last_read(&who.user_id) {
            return Vec::new();
        }
        self.durable.read.insert(who.user_id.clone(), seq);
        vec![
            Effect::SaveReadMark {
                user_id: who.user_id.clone(),
                seq,
            },
            Effect::Broadcast {
                msg: ServerMsg::ReadReceipt {
                    user_id: who.user_id.clone(),
                    seq,
                },
                except: None,
            },
        ]
    }
}
