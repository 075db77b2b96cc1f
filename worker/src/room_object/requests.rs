//! The room's HTTP side: creation, history pages, and uploads.

use edgechat_core::{Identity, Upload, UploadRefused};
use edgechat_protocol::{ErrorCode, Seq};
use worker::{Date, Response, Result};

use super::{Core, Room, stored};
use crate::{http, stubs::Creation};

impl Room {
    /// `GET /api/rooms/{id}/messages`, answered from the room itself so the newest
    /// messages are there before they reach D1.
    pub(super) async fn history(
        &self,
        who: &Identity,
        before: Option<Seq>,
        limit: Option<u32>,
    ) -> Result<Response> {
        if let Some(refused) = self.ready(Date::now().as_millis()).await {
            return refused;
        }
        let room = self.room_id();
        let page = match self.core.borrow().as_ref() {
            Some(core) => core.history_for(&who.user_id, who.global_admin, before, limit),
            None => return http::error(ErrorCode::Internal, "the room could not be loaded"),
        };
        match page {
            Ok(Ok((messages, has_more))) => http::json(
                200,
                &serde_json::json!({ "roomId": room, "messages": messages, "hasMore": has_more }),
            ),
            Ok(Err(_)) => http::error(ErrorCode::Forbidden, "you may not read this room"),
            Err(err) => {
                worker::console_error!("room {room}: {err}");
                http::error(ErrorCode::Internal, "the room could not be read")
            }
        }
    }

    /// Creates the room from the Worker's request: stores its info and the events of its
    /// creation in one step, and copies its membership to D1 at once. 409 if it already
    /// exists.
    pub(super) async fn create(&self, creation: Creation) -> Result<Response> {
        let store = self.store();
        store.prepare().map_err(stored)?;
        if let Some(existing) = store.info().map_err(stored)? {
            let code = ErrorCode::RoomExists;
            return http::json(
                code.status(),
                &serde_json::json!({ "error": { "code": code, "message": "a room with that name exists" }, "room": existing }),
            );
        }
        let now = Date::now().as_millis();
        let (core, _effects) = Core::create(
            creation.info.clone(),
            self.limits.clone(),
            store,
            &creation.creator,
            &creation.members,
            now,
        )
        .map_err(stored)?;
        // Nobody is connected yet: the effects are broadcasts to no one.
        self.core.replace(Some(core));
        self.archive(&creation.info).await;
        self.arm(None, now).await;
        http::json(201, &serde_json::json!({ "room": creation.info }))
    }

    /// Whether `who` may upload here (and give `thumbnailOf` a thumbnail): asked before
    /// any byte is stored.
    pub(super) async fn check_upload(
        &self,
        who: &Identity,
        thumbnail_of: Option<String>,
    ) -> Result<Response> {
        let now = Date::now().as_millis();
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
        let checked = match self.core.borrow().as_ref() {
            Some(core) => core
                .may_upload(&who.user_id, now)
                .and_then(|()| match &thumbnail_of {
                    Some(original) => core.may_add_thumbnail(&who.user_id, original).map(drop),
                    None => Ok(()),
                }),
            None => return http::error(ErrorCode::Internal, "the room could not be loaded"),
        };
        match checked {
            Ok(()) => Ok(Response::empty()?.with_status(204)),
            Err(refused) => refusal(&refused),
        }
    }

    /// Registers a stored file, checking again: the room may have changed meanwhile.
    pub(super) async fn register_upload(
        &self,
        who: &Identity,
        upload: Upload,
        thumbnail_of: Option<String>,
    ) -> Result<Response> {
        if upload.uploader != who.user_id {
            return http::error(ErrorCode::BadRequest, "no upload of this member");
        }
        let now = Date::now().as_millis();
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
        let registered = match self.core.borrow_mut().as_mut() {
            Some(core) => core
                .register_upload(upload, thumbnail_of.as_deref(), now)
                .map(|()| self.deadline(core, now)),
            None => return http::error(ErrorCode::Internal, "the room could not be loaded"),
        };
        match registered {
            Ok(deadline) => {
                self.arm(deadline, now).await;
                Ok(Response::empty()?.with_status(201))
            }
            Err(UploadRefused::Failed(err)) => {
                // Not stored: the room loads again, and the Worker cleans up.
                self.core.replace(None);
                Err(stored(err))
            }
            Err(refused) => refusal(&refused),
        }
    }
}

fn refusal(refused: &UploadRefused) -> Result<Response> {
    http::error(refused.code(), &refused.to_string())
}
