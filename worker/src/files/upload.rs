//! `POST /api/rooms/{id}/files[?thumbnailOf={fileId}]`: the raw file is the body.

use edgechat_core::{
    Identity, Upload,
    files::{Family, clean_name, sniff},
};
use edgechat_protocol::{Attachment, ErrorCode};
use serde_json::json;
use wasm_bindgen::JsValue;
use worker::{Date, Env, Request, Response, Result};

use super::{body::Incoming, file_key};
use crate::{
    auth::{crypto, guard},
    config, http,
    stubs::RoomStub,
};

/// The header that carries the file's name, percent-encoded.
pub const NAME_HEADER: &str = "X-File-Name";

pub async fn upload(mut req: Request, env: &Env, room: &str) -> Result<Response> {
    attempt!(http::room_name(room));
    let (_, user) = attempt!(guard::user(&req, env).await);
    let thumbnail_of = req
        .url()?
        .query_pairs()
        .find(|(key, _)| key == "thumbnailOf")
        .map(|(_, value)| value.into_owned());
    let limit = match thumbnail_of {
        Some(_) => config::number(env, "MAX_THUMBNAIL_BYTES", 256 * 1024),
        None => config::number(env, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024),
    };
    let length = attempt!(super::body::declared_length(&req, limit));
    let name = clean_name(&req.headers().get(NAME_HEADER)?.unwrap_or_default());
    let who = Identity::from(&user);
    // Both stores before anything is counted or recorded: a store that is down answers
    // 503 with nothing taken from the quota.
    let db = crate::storage::d1(env)?;
    let bucket = crate::storage::r2(env)?;
    attempt!(super::quota::take(env, &db, &user.id, length).await?);
    let stub = RoomStub::new(env, room)?;
    let file_id = crypto::random_id("f");
    // The room records that these bytes are on their way before the first is stored.
    attempt!(passed(
        stub.check_upload(who.clone(), &file_id, thumbnail_of.clone())
            .await?
    ));

    let incoming = attempt!(Incoming::start(&mut req, length).await);
    let (head, complete) = incoming.head();
    let Some(kind) = sniff(&head, complete) else {
        return http::error(
            ErrorCode::UnsupportedType,
            "edgechat takes images (PNG, JPEG, GIF, WebP), PDF, plain text, MP4, WebM and office documents",
        );
    };
    if thumbnail_of.is_some() && kind.family != Family::Image {
        return http::error(ErrorCode::UnsupportedType, "a thumbnail must be an image");
    }

    attempt!(
        incoming
            .store(&bucket, &file_key(&file_id), kind.content_type)
            .await
    );
    if cfg!(feature = "bench") && config::string(env, "FAULT_UPLOAD_CRASH").is_some() {
        // The bench build only: die between R2 and D1, leaving the bytes for the room to
        // find.
        return http::error(ErrorCode::Internal, "injected fault: crashed after storing");
    }
    let now = Date::now().as_millis();
    let attachment = Attachment {
        file_id: file_id.clone(),
        name,
        content_type: kind.content_type.to_owned(),
        size: length,
        width: kind.width,
        height: kind.height,
        thumbnail_id: None,
    };
    let opt = |n: Option<u32>| n.map_or(JsValue::NULL, |n| JsValue::from_f64(f64::from(n)));
    let stored = db
        .prepare(
            "INSERT INTO files (id, room_id, uploader_id, name, content_type, size, width, height, thumbnail_of, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&[
            JsValue::from_str(&file_id),
            JsValue::from_str(room),
            JsValue::from_str(&user.id),
            JsValue::from_str(&attachment.name),
            JsValue::from_str(&attachment.content_type),
            JsValue::from_f64(length as f64),
            opt(attachment.width),
            opt(attachment.height),
            thumbnail_of.as_deref().map_or(JsValue::NULL, JsValue::from_str),
            JsValue::from_f64(now as f64),
        ])?
        .run()
        .await;
    let upload = Upload {
        attachment: attachment.clone(),
        uploader: user.id.clone(),
        uploaded_at: now,
    };
    let registered = match stored {
        Ok(_) => stub
            .register_upload(who, upload, thumbnail_of)
            .await
            .map(passed),
        Err(err) => Err(err),
    };
    let refused = match registered {
        Ok(Ok(())) => return http::json(201, &json!(attachment)),
        Ok(Err(response)) => Ok(response),
        Err(err) => Err(err),
    };
    // Membership may have changed while the bytes streamed, or D1 failed: leave nothing
    // behind.
    let _ = bucket.delete(file_key(&file_id)).await;
    if let Ok(statement) = db
        .prepare("DELETE FROM files WHERE id = ?")
        .bind(&[JsValue::from_str(&file_id)])
    {
        let _ = statement.run().await;
    }
    refused
}

/// The room's answer: `Err` with its refusal, to pass on.
fn passed(response: Response) -> std::result::Result<(), Response> {
    if response.status_code() < 300 {
        Ok(())
    } else {
        Err(response)
    }
}
