//! The rows of the timeline in view: each message with the quiet lines before it, the
//! "New messages" line, whether it sits under the name above, and "Read by". Only the
//! rows asked for are built (and their messages cloned), so a long history costs a
//! render nothing beyond what is on screen.

use edgechat_protocol::{Message, Seq};

use super::{ChatState, Note, continues};

/// One message as the timeline shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub message: Message,
    /// Quiet lines (joins, leaves, settings) between the message before and this one.
    pub notes: Vec<Note>,
    /// The "New messages" line goes above it.
    pub new_line: bool,
    /// Under the name of the message before it: no avatar or name of its own.
    pub continued: bool,
    /// How many have read it, when "Read by" goes under it (0: it does not).
    pub read_by: usize,
}

impl ChatState {
    /// The timeline's rows `start..end`, by index into the loaded messages.
    pub fn rows(&self, start: usize, end: usize) -> Vec<Row> {
        let first_new = self.first_new();
        let receipt = self.read_receipt();
        let end = end.min(self.messages.len());
        (start.min(end)..end)
            .map(|at| {
                let message = &self.messages[at];
                let previous = at.checked_sub(1).map(|p| &self.messages[p]);
                let notes = self.notes_between(previous.map_or(0, |p| p.seq), message.seq);
                let new_line = first_new == Some(message.seq);
                Row {
                    continued: !new_line
                        && notes.is_empty()
                        && previous.is_some_and(|p| continues(p, message)),
                    read_by: receipt
                        .filter(|(seq, _)| *seq == message.seq)
                        .map_or(0, |(_, n)| n),
                    new_line,
                    notes,
                    message: message.clone(),
                }
            })
            .collect()
    }

    /// The quiet lines after the newest loaded message.
    pub fn trailing_notes(&self) -> Vec<Note> {
        let newest = self.messages.last().map_or(0, |m| m.seq);
        self.notes_between(newest, Seq::MAX)
    }

    fn notes_between(&self, after: Seq, before: Seq) -> Vec<Note> {
        self.notes
            .iter()
            .filter(|n| n.seq > after && n.seq < before)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(seq: Seq, user: &str) -> Message {
        serde_json::from_value(serde_json::json!({
            "messageId": format!("r:{seq}"), "roomId": "r", "userId": user, "username": user,
            "text": "hi", "timestamp": seq * 1_000, "seq": seq, "clientMsgId": format!("c{seq}"),
        }))
        .unwrap()
    }

    fn note(seq: Seq) -> Note {
        Note {
            seq,
            text: format!("note {seq}"),
            until: None,
        }
    }

    #[test]
    fn a_row_carries_the_lines_before_it_and_a_line_or_note_breaks_a_group() {
        let mut state = ChatState::for_user("r", "ana");
        // Seq 3 is a note's (a join), not a message's.
        state.messages = [1, 2, 4, 5, 6]
            .map(|seq| message(seq, if seq == 6 { "ana" } else { "bob" }))
            .into();
        state.notes = vec![note(3), note(7)];
        state.read_at_open = Some(4);
        state.read_marks.insert("bob".into(), 6);
        let rows = state.rows(1, 99);
        let shape: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.message.seq,
                    r.notes.len(),
                    r.new_line,
                    r.continued,
                    r.read_by,
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                (2, 0, false, true, 0),
                // The note goes above the message after it, and the group starts again.
                (4, 1, false, false, 0),
                (5, 0, true, false, 0),
                (6, 0, false, false, 1),
            ],
            "rows are built from index 1 on, and only those"
        );
        assert_eq!(state.trailing_notes(), [note(7)]);
        assert!(state.rows(5, 2).is_empty(), "an empty range is empty");
    }
}
