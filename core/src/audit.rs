//! Reading the audit log (docs/api.md, "Audit log"): the query one page of it is, made
//! from the caller's filters, newest first, each page after the last one's end. The
//! Worker binds and runs it; its text is made of fixed fragments only, one per filter
//! given, so each filter is read through its own index (`migrations/0018_audit_log.sql`).

use crate::Refusal;
use edgechat_protocol::ErrorCode;

/// Every act the log records: the rooms' (moderation, settings, hooks, exports and
/// imports) and the door's (accounts).
pub const ACTIONS: &[&str] = &[
    "role-changed",
    "user-muted",
    "user-unmuted",
    "user-banned",
    "user-unbanned",
    "user-kicked",
    "slow-mode-changed",
    "room-updated",
    "message-deleted",
    "message-pinned",
    "message-unpinned",
    "hook-created",
    "hook-renamed",
    "hook-secret-changed",
    "hook-removed",
    "export-started",
    "import-started",
    "account-disabled",
    "account-enabled",
];

/// The most entries one page holds, and how many it holds unless asked.
pub const MAX_PAGE: u64 = 100;
pub const PAGE: u64 = 50;

/// A bound parameter of a page's query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Text(String),
    Int(u64),
}

/// One page's query: each row is `line` (the entry as the API shows it, made by D1), and
/// `cursor` (where the next page starts, if this row is the page's last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub sql: String,
    pub params: Vec<Param>,
    pub limit: u64,
}

/// What a caller asks for: each filter optional, `before` the `next` of the page before.
#[derive(Debug, Clone, Default)]
pub struct Filters<'a> {
    pub room: Option<&'a str>,
    pub action: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub before: Option<&'a str>,
    pub limit: Option<&'a str>,
}

/// Each entry as the API shows it: the members it lacks left out (`json_patch` drops the
/// nulls), then its `detail` as recorded, whose nulls mean something ("no limit").
const SELECT: &str = "SELECT a.at || ':' || a.id AS cursor, json_set(json_patch('{}', json_object(
        'id', a.id, 'at', a.at, 'roomId', a.room_id, 'actorId', a.actor_id,
        'actorName', ua.display_name, 'action', a.action,
        'targetId', NULLIF(a.target_id, ''), 'targetName', ut.display_name,
        'requestId', NULLIF(a.request_id, ''),
        'connId', NULLIF(a.conn_id, ''), 'reqId', NULLIF(a.req_id, ''))),
        '$.detail', json(a.detail)) AS line
    FROM audit_log a
    LEFT JOIN users ua ON ua.id = a.actor_id
    LEFT JOIN users ut ON ut.id = NULLIF(a.target_id, '')";

/// The query of the page `filters` ask for; a filter that cannot be is refused.
pub fn page(filters: &Filters) -> Result<Page, Refusal> {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    if let Some(room) = filters.room {
        clauses.push("a.room_id = ?");
        params.push(Param::Text(room.to_owned()));
    }
    if let Some(action) = filters.action {
        if !ACTIONS.contains(&action) {
            return Err(Refusal::new(
                ErrorCode::BadRequest,
                format!("no action {action:?} is recorded; see docs/api.md, \"Audit log\""),
            ));
        }
        clauses.push("a.action = ?");
        params.push(Param::Text(action.to_owned()));
    }
    if let Some(actor) = filters.actor {
        clauses.push("a.actor_id = ?");
        params.push(Param::Text(actor.to_owned()));
    }
    if let Some(before) = filters.before {
        let (at, id) = before
            .split_once(':')
            .and_then(|(at, id)| Some((at.parse::<u64>().ok()?, id)))
            .ok_or_else(|| {
                Refusal::new(
                    ErrorCode::BadRequest,
                    "`before` is the `next` of the page before",
                )
            })?;
        // A row value: the index of time seeks straight to it.
        clauses.push("(a.at, a.id) < (?, ?)");
        params.extend([Param::Int(at), Param::Text(id.to_owned())]);
    }
    let limit = match filters.limit {
        None => PAGE,
        Some(text) => match text.parse::<u64>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                return Err(Refusal::new(
                    ErrorCode::BadRequest,
                    format!("`limit` is 1 to {MAX_PAGE}"),
                ));
            }
        },
    };
    params.push(Param::Int(limit));
    let mut sql = SELECT.to_owned();
    if !clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&clauses.join(" AND "));
    }
    sql.push_str(" ORDER BY a.at DESC, a.id DESC LIMIT ?");
    Ok(Page { sql, params, limit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_binds_each_filter_given_and_nothing_the_caller_wrote_is_in_its_text() {
        let page = super::page(&Filters {
            room: Some("lobby'; DROP TABLE users; --"),
            action: Some("user-banned"),
            before: Some("1700:lobby/3"),
            ..Filters::default()
        })
        .unwrap();
        assert!(!page.sql.contains("DROP"));
        assert!(
            page.sql
                .contains("a.room_id = ? AND a.action = ? AND (a.at, a.id) < (?, ?)")
        );
        assert_eq!(page.params.len(), 5);
        assert_eq!(page.params[2], Param::Int(1700));
        assert_eq!(page.params[3], Param::Text("lobby/3".into()));
        assert_eq!(page.limit, PAGE);
        let all = super::page(&Filters::default()).unwrap();
        assert!(!all.sql.contains("WHERE"));
    }

    #[test]
    fn an_unknown_action_a_bad_cursor_or_limit_is_refused() {
        for filters in [
            Filters {
                action: Some("made-tea"),
                ..Filters::default()
            },
            Filters {
                before: Some("yesterday"),
                ..Filters::default()
            },
            Filters {
                limit: Some("500"),
                ..Filters::default()
            },
        ] {
            let refused = super::page(&filters).unwrap_err();
            assert_eq!(refused.code(), ErrorCode::BadRequest);
        }
    }
}
