//! Uploads: registered by members, attached once by their uploader, removed with their
//! message or when nobody attached them in time.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use edgechat_core::testing::{World, appended, error_code};
use edgechat_core::{Effect, Limits, Upload, UploadRefused};
use edgechat_protocol::{Attachment, ClientMsg, ErrorCode, RoomEvent, RoomKind};

fn upload(world: &World, user: &str, file_id: &str, content_type: &str) -> Upload {
    Upload {
        attachment: Attachment {
            file_id: file_id.into(),
            name: format!("{file_id}.bin"),
            content_type: content_type.into(),
            size: 10,
            width: content_type.starts_with("image/").then_some(4),
            height: content_type.starts_with("image/").then_some(3),
            thumbnail_id: None,
        },
        uploader: user.into(),
        uploaded_at: world.now,
    }
}

fn register(
    world: &mut World,
    user: &str,
    file_id: &str,
    content_type: &str,
    thumbnail_of: Option<&str>,
) -> Result<(), UploadRefused> {
    let upload = upload(world, user, file_id, content_type);
    world
        .room
        .register_upload(&upload.uploader.clone(), upload, thumbnail_of, world.now)
}

/// The upload `file_id` as the room stored it, and whether a message attached it.
fn stored_upload(world: &World, file_id: &str) -> Option<(Upload, bool)> {
    world.store().upload(file_id).unwrap()
}

fn send_files(world: &mut World, conn: &str, files: &[&str], client_id: &str) -> Vec<Effect> {
    world.send(
        conn,
        ClientMsg::SendMessage {
            room_id: "lobby".into(),
            text: String::new(),
            attachments: files.iter().map(|f| f.to_string()).collect(),
            reply_to: None,
            client_msg_id: client_id.into(),
        },
    )
}

fn stored(effects: &[Effect]) -> edgechat_protocol::Message {
    match appended(effects).pop() {
        Some(RoomEvent::NewMessage(message)) => message,
        _ => panic!("not stored: {effects:?}"),
    }
}

#[test]
fn an_upload_with_its_thumbnail_is_attached_by_its_uploader() {
    let mut world = World::with_three();
    register(&mut world, "bo", "f-1", "image/png", None).unwrap();
    register(&mut world, "bo", "t-1", "image/webp", Some("f-1")).unwrap();
    let message = stored(&send_files(&mut world, "bo", &["f-1"], "c-1"));
    assert_eq!(message.text, "", "attachments alone make a message");
    let attachment = &message.attachments[0];
    assert_eq!(attachment.name, "f-1.bin");
    assert_eq!((attachment.width, attachment.height), (Some(4), Some(3)));
    assert_eq!(attachment.thumbnail_id.as_deref(), Some("t-1"));
}

#[test]
fn unknown_foreign_or_reused_files_are_refused() {
    let mut world = World::with_three();
    let code = |effects: Vec<Effect>| error_code(&effects);
    assert_eq!(
        code(send_files(&mut world, "bo", &["f-1"], "c-1")),
        Some(ErrorCode::UnknownAttachment),
        "never uploaded"
    );
    register(&mut world, "cy", "f-cy", "application/pdf", None).unwrap();
    assert_eq!(
        code(send_files(&mut world, "bo", &["f-cy"], "c-2")),
        Some(ErrorCode::UnknownAttachment),
        "someone else's upload"
    );
    register(&mut world, "bo", "f-2", "application/pdf", None).unwrap();
    assert_eq!(
        code(send_files(&mut world, "bo", &["f-2", "f-2"], "c-3")),
        Some(ErrorCode::UnknownAttachment),
        "the same file twice"
    );
    stored(&send_files(&mut world, "bo", &["f-2"], "c-4"));
    assert_eq!(
        code(send_files(&mut world, "bo", &["f-2"], "c-5")),
        Some(ErrorCode::UnknownAttachment),
        "already attached"
    );
}

#[test]
fn only_members_who_may_send_upload() {
    let mut world = World::with_three();
    assert_eq!(
        register(&mut world, "zed", "f-1", "image/png", None),
        Err(UploadRefused::NotMember)
    );
    world.send(
        "ana",
        ClientMsg::MuteUser {
            user_id: "bo".into(),
            until: world.now + 60_000,
        },
    );
    assert_eq!(
        register(&mut world, "bo", "f-2", "image/png", None),
        Err(UploadRefused::Muted)
    );
}

#[test]
fn thumbnails_belong_to_an_unattached_image_of_the_same_uploader() {
    let mut world = World::with_three();
    register(&mut world, "bo", "doc", "application/pdf", None).unwrap();
    register(&mut world, "bo", "img", "image/png", None).unwrap();
    let thumb = |world: &mut World, user: &str, of: &str| {
        register(
            world,
            user,
            &format!("t-{of}-{user}"),
            "image/png",
            Some(of),
        )
    };
    assert_eq!(
        thumb(&mut world, "bo", "doc"),
        Err(UploadRefused::NotAnImage)
    );
    assert_eq!(
        thumb(&mut world, "cy", "img"),
        Err(UploadRefused::NoSuchUpload)
    );
    assert_eq!(
        thumb(&mut world, "bo", "nope"),
        Err(UploadRefused::NoSuchUpload)
    );
    thumb(&mut world, "bo", "img").unwrap();
    assert_eq!(
        thumb(&mut world, "bo", "img"),
        Err(UploadRefused::HasThumbnail)
    );
    register(&mut world, "bo", "img2", "image/png", None).unwrap();
    stored(&send_files(&mut world, "bo", &["img2"], "c-1"));
    assert_eq!(
        thumb(&mut world, "bo", "img2"),
        Err(UploadRefused::AlreadyAttached)
    );
}

#[test]
fn deleting_a_message_removes_its_files_after_the_deletion_is_stored() {
    let mut world = World::with_three();
    register(&mut world, "bo", "f-1", "image/png", None).unwrap();
    register(&mut world, "bo", "t-1", "image/png", Some("f-1")).unwrap();
    let message = stored(&send_files(&mut world, "bo", &["f-1"], "c-1"));
    let effects = world.send(
        "bo",
        ClientMsg::DeleteMessage {
            message_id: message.message_id,
        },
    );
    let append = effects
        .iter()
        .position(|e| matches!(e, Effect::Stored(RoomEvent::MessageDeleted { .. })))
        .expect("the deletion is stored");
    let remove = effects
        .iter()
        .position(|e| matches!(e, Effect::RemoveFiles(files) if files == &["f-1", "t-1"]))
        .expect("both files are removed");
    assert!(append < remove);
    assert_eq!(
        stored_upload(&world, "f-1"),
        None,
        "the upload is forgotten"
    );
    assert_eq!(
        world.store().doomed().unwrap(),
        ["f-1", "t-1"],
        "both files wait for deletion until it is done"
    );
}

#[test]
fn unattached_uploads_expire_at_the_next_tick_after_their_ttl() {
    let limits = Limits {
        upload_ttl_ms: 60_000,
        ..Limits::default()
    };
    let mut world = World::new(RoomKind::Public, limits);
    register(&mut world, "ana", "kept", "image/png", None).unwrap();
    register(&mut world, "ana", "left", "image/png", None).unwrap();
    world.connect("ana", "ana");
    stored(&send_files(&mut world, "ana", &["kept"], "c-1"));
    let deadline = world
        .room
        .next_deadline()
        .unwrap()
        .expect("an expiry is due");
    assert!(deadline <= world.now + 60_000);
    world.advance(60_000);
    let effects = world.run(edgechat_core::Command::Tick);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::RemoveFiles(files) if files == &["left"])),
        "{effects:?}"
    );
    assert_eq!(stored_upload(&world, "left"), None);
    assert!(matches!(stored_upload(&world, "kept"), Some((_, true))));
    assert_eq!(world.room.next_deadline().unwrap(), None);
}

#[test]
fn a_loaded_room_knows_its_uploads_and_what_is_attached() {
    let mut world = World::with_three();
    register(&mut world, "bo", "f-1", "image/png", None).unwrap();
    register(&mut world, "bo", "f-2", "image/png", None).unwrap();
    stored(&send_files(&mut world, "bo", &["f-1"], "c-1"));
    world.room = world.restored();
    world.connect("bo2", "bo");
    assert_eq!(
        error_code(&send_files(&mut world, "bo2", &["f-1"], "c-2")),
        Some(ErrorCode::UnknownAttachment)
    );
    stored(&send_files(&mut world, "bo2", &["f-2"], "c-3"));
    world.room = world.restored();
    assert!(matches!(stored_upload(&world, "f-1"), Some((_, true))));
    assert!(matches!(stored_upload(&world, "f-2"), Some((_, true))));
    assert_eq!(
        error_code(&send_files(&mut world, "bo2", &["f-2"], "c-4")),
        Some(ErrorCode::UnknownAttachment)
    );
}
