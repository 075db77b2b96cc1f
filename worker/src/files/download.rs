//! `GET /api/files/{id}` and `GET /api/files/{id}/thumbnail`: for members of the file's
//! room, by bearer token or the media cookie, with headers that keep the bytes inert.

use edgechat_core::files::{ByteRange, content_disposition, parse_range};
use edgechat_protocol::ErrorCode;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{Bucket, Env, Headers, Range, Request, Response, Result};

use super::{file_key, is_file_id};
use crate::{auth::guard, http};

#[derive(Deserialize)]
struct FileRow {
    id: String,
    room_id: String,
    name: String,
    content_type: String,
    size: f64,
}

/// One file row by a condition; the columns are those of [`FileRow`].
macro_rules! select_file {
    ($condition:literal) => {
        concat!(
            "SELECT id, room_id, name, content_type, size FROM files WHERE ",
            $condition
        )
    };
}

pub async fn download(req: &Request, env: &Env, id: &str, thumbnail: bool) -> Result<Response> {
    let (_, user) = attempt!(guard::media_user(req, env).await);
    if !is_file_id(id, 'f') {
        return http::error(ErrorCode::NotFound, "no such file");
    }
    let db = crate::storage::d1(env)?;
    let Some(file) = db
        .prepare(select_file!("id = ?"))
        .bind(&[JsValue::from_str(id)])?
        .first::<FileRow>(None)
        .await?
    else {
        return http::error(ErrorCode::NotFound, "no such file");
    };
    let member = db
        .prepare(
            "SELECT 1 AS one FROM room_members WHERE room_id = ? AND user_id = ? AND member = 1",
        )
        .bind(&[
            JsValue::from_str(&file.room_id),
            JsValue::from_str(&user.id),
        ])?
        .first::<serde_json::Value>(None)
        .await?
        .is_some();
    if !member && !user.is_admin() {
        return http::error(
            ErrorCode::Forbidden,
            "only members of the file's room may download it",
        );
    }
    let file = if thumbnail {
        match db
            .prepare(select_file!("thumbnail_of = ?"))
            .bind(&[JsValue::from_str(id)])?
            .first::<FileRow>(None)
            .await?
        {
            Some(thumb) => thumb,
            None => return http::error(ErrorCode::NotFound, "this file has no thumbnail"),
        }
    } else {
        file
    };
    serve(
        req,
        &crate::storage::r2(env)?,
        &file_key(&file.id),
        &file.content_type,
        file.size as u64,
        Some(&file.name),
        "private, max-age=86400",
    )
    .await
}

/// Sends an object with its stored type, inert: `nosniff`, a sandboxing CSP, inline
/// only for images and video, and a single byte range when one is asked for.
pub(super) async fn serve(
    req: &Request,
    bucket: &Bucket,
    key: &str,
    content_type: &str,
    size: u64,
    name: Option<&str>,
    cache: &str,
) -> Result<Response> {
    let range = match parse_range(req.headers().get("Range")?.as_deref(), size) {
        Ok(range) => range,
        Err(_) => {
            let response = http::error(
                ErrorCode::RangeNotSatisfiable,
                "the range is past the end of the file",
            )?;
            response
                .headers()
                .set("Content-Range", &format!("bytes */{size}"))?;
            return Ok(response);
        }
    };
    let get = bucket.get(key);
    let get = match range {
        Some(ByteRange { start, end }) => get.range(Range::OffsetWithLength {
            offset: start,
            length: end - start + 1,
        }),
        None => get,
    };
    let Some(object) = get.execute().await? else {
        return http::error(ErrorCode::NotFound, "the file is gone");
    };
    let Some(body) = object.body() else {
        return http::error(ErrorCode::NotFound, "the file is gone");
    };
    let headers = Headers::new();
    headers.set("Content-Type", content_type)?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    )?;
    headers.set("Cross-Origin-Resource-Policy", "same-origin")?;
    headers.set("Cache-Control", cache)?;
    headers.set("Accept-Ranges", "bytes")?;
    headers.set("ETag", &object.http_etag())?;
    let inline = content_type.starts_with("image/") || content_type.starts_with("video/");
    if let Some(name) = name {
        headers.set("Content-Disposition", &content_disposition(inline, name))?;
    }
    let status = match range {
        Some(range) => {
            headers.set("Content-Range", &range.content_range(size))?;
            headers.set("Content-Length", &range.len().to_string())?;
            206
        }
        None => {
            headers.set("Content-Length", &size.to_string())?;
            200
        }
    };
    Ok(Response::from_body(body.response_body()?)?
        .with_status(status)
        .with_headers(headers))
}
