//! An account's export as its inbox keeps it (`edgechat_core::export::account`): the
//! stages in order with each cursor moved past what was read, one export at a time, a
//! finished archive making way to be deleted, the largest size, and how many files a
//! part takes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::Limits;
use edgechat_core::export::account::*;
use edgechat_protocol::ErrorCode;

fn limits() -> Limits {
    Limits {
        export_pace_ms: 10,
        export_max_bytes: 1_000,
        export_ttl_ms: 5_000,
        ..Limits::default()
    }
}

fn part(bytes: u64) -> AccountPart {
    AccountPart {
        rooms: 0,
        messages: 1,
        files: 0,
        bytes,
    }
}

#[test]
fn an_export_goes_rooms_messages_files_manifest_moving_each_cursor_past_what_it_read() {
    let limits = limits();
    let mut export = AccountExport::new("x1", "u1", 100);
    let rooms = |last: &str, full| Read::Rooms {
        last: Some(last.to_owned()),
        full,
    };
    export.stepped(rooms("r1", true), part(10), &limits, 100);
    assert_eq!(
        (export.stage, export.after_room.as_str()),
        (Stage::Rooms, "r1")
    );
    assert_eq!(export.due_at, 110);
    export.stepped(rooms("r2", false), part(0), &limits, 110);
    assert_eq!(export.stage, Stage::Messages);
    assert_eq!(export.parts.len(), 1, "an empty part is not recorded");
    let read = Read::Messages {
        last: Some((7, 3)),
        full: false,
    };
    export.stepped(read, part(20), &limits, 120);
    assert_eq!((export.stage, export.after_message), (Stage::Files, (7, 3)));
    let read = Read::Files {
        last: None,
        full: false,
    };
    export.stepped(read, part(0), &limits, 130);
    assert_eq!(export.stage, Stage::Manifest);
    assert!(export.running());
    export.finished(&limits, 140);
    let view = export.view();
    assert_eq!((view.state, view.messages, view.bytes), ("ready", 2, 30));
    assert_eq!(view.expires_at, Some(5_140));
    assert_eq!(export.manifest().kind, KIND);
    assert_eq!(export.next_part(), 3);
}

#[test]
fn one_export_runs_at_a_time_and_a_finished_one_makes_way_to_be_deleted() {
    let limits = limits();
    let mut exports = AccountExports::default();
    assert_eq!(exports.due(), None);
    exports.start("x1", "u1", 0).unwrap();
    let refused = exports.start("x2", "u1", 1).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Conflict);
    assert!(exports.get("x1").is_some(), "the running one goes on");
    assert_eq!(exports.due(), Some(0));
    exports.current.as_mut().unwrap().finished(&limits, 10);
    exports.expire(5_009);
    assert!(exports.get("x1").is_some(), "kept until its time");
    exports.start("x2", "u1", 20).unwrap();
    assert_eq!(exports.doomed, vec![("x1".to_owned(), 0)]);
    assert!(exports.get("x1").is_none());
    assert_eq!(exports.due(), Some(0), "a doomed archive is work now");
    exports.doomed.clear();
    let x2 = exports.current.as_mut().unwrap();
    x2.finished(&limits, 30);
    exports.expire(5_030);
    assert_eq!(exports.current, None);
    assert_eq!(exports.doomed.len(), 1);
}

#[test]
fn a_part_takes_files_up_to_its_size_but_always_one() {
    assert_eq!(files_taken(&[90, 5, 20], 100), 2);
    assert_eq!(files_taken(&[90, 5, 5], 100), 3);
    assert_eq!(
        files_taken(&[500, 1], 100),
        1,
        "a file larger than a part is alone"
    );
    assert_eq!(files_taken(&[], 100), 0);
}

#[test]
fn an_export_past_its_largest_size_fails_and_is_kept_only_to_say_so() {
    let limits = limits();
    let mut export = AccountExport::new("x1", "u1", 0);
    let read = Read::Messages {
        last: Some((1, 1)),
        full: true,
    };
    export.stepped(read, part(1_001), &limits, 50);
    assert_eq!(export.view().state, "failed");
    assert_eq!(export.due_at, 5_050);
}
