//! The outbox: messages the user sent that the server has not acknowledged, kept in
//! browser storage so they survive a reload and go again after every reconnect.

use edgechat_protocol::{ClientFrame, ClientMsg};
use serde::{Deserialize, Serialize};

use super::ChatState;

/// A message the user sent that the server has not yet acknowledged: the outbox, kept in
/// browser storage so it survives a reload, and sent again with the same client id after
/// every reconnect until acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pending {
    pub client_msg_id: String,
    pub text: String,
    #[serde(default)]
    pub attachments: Vec<String>,
    #[serde(default)]
    pub reply_to: Option<String>,
}

impl Pending {
    /// The frame that sends it: its client id doubles as `reqId`, so an error names it.
    pub fn to_frame(&self, room: &str) -> ClientFrame {
        ClientFrame {
            req_id: Some(self.client_msg_id.clone()),
            msg: self.to_msg(room),
        }
    }

    pub fn to_msg(&self, room: &str) -> ClientMsg {
        ClientMsg::SendMessage {
            room_id: room.to_owned(),
            text: self.text.clone(),
            attachments: self.attachments.clone(),
            reply_to: self.reply_to.clone(),
            client_msg_id: self.client_msg_id.clone(),
        }
    }
}

impl ChatState {
    /// Records a message the user just sent (or typed offline), shown as pending until
    /// acknowledged.
    pub fn sent(&mut self, pending: Pending) {
        self.pending.push(pending);
    }

    /// Whether this page saw `client_msg_id` delivered (or refused).
    fn delivered(&self, client_msg_id: &str) -> bool {
        self.settled.contains(client_msg_id)
            || self
                .messages
                .iter()
                .any(|m| m.client_msg_id == client_msg_id)
    }

    /// The outbox a previous page left in storage: kept unless already delivered.
    pub fn restore_outbox(&mut self, outbox: Vec<Pending>) {
        for pending in outbox {
            let known = self
                .pending
                .iter()
                .any(|p| p.client_msg_id == pending.client_msg_id);
            if !self.delivered(&pending.client_msg_id) && !known {
                self.pending.push(pending);
            }
        }
    }

    /// The outbox to store, given what storage holds now: another tab's unsent messages
    /// stay, anything this page saw delivered or refused goes, and this page's own
    /// pending messages are added.
    pub fn merged_outbox(&self, stored: Vec<Pending>) -> Vec<Pending> {
        let mut merged: Vec<Pending> = stored
            .into_iter()
            .filter(|p| !self.delivered(&p.client_msg_id))
            .collect();
        for mine in &self.pending {
            if !merged.iter().any(|p| p.client_msg_id == mine.client_msg_id) {
                merged.push(mine.clone());
            }
        }
        merged
    }
}
