//! The room's HTTP side: creation, history pages, and uploads.

use edgechat_core::{
    Identity, Upload, UploadRefused,
    room::{added_too_often, creation},
};
use edgechat_protocol::{ErrorCode, RoomInfo, RoomKind, Seq};
use worker::{Date, Response, Result};

use super::{Core, Room, stored};
use crate::{
    http,
    stubs::{Admission, Creation, InboxStub},
};

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
            Ok(Err(refusal)) => http::refused(&refusal),
            Err(err) => {
                crate::log::error("history-failed")
                    .with("room", room)
                    .err(err)
                    .emit();
                http::error(ErrorCode::Internal, "the room could not be read")
            }
        }
    }

    /// Creates the room from the Worker's request: stores its info and the events of its
    /// creation in one step, and copies its membership to D1 at once. 409 if it already
    /// exists, with its info only when it is public; a direct room asked for again by its
    /// two members is found again (200).
    pub(super) async fn create(&self, creation: Creation) -> Result<Response> {
        if let Some(refusal) = creation::shape_refused(&creation.info) {
            return http::refused(&refusal);
        }
        let store = self.store();
        store.prepare().map_err(stored)?;
        if let Some(answer) = self.taken(&creation)? {
            return answer;
        }
        // Everyone the new room adds is counted by their inbox (`ADDED_TO_ROOMS_PER_HOUR`),
        // and only now that the id is known to be free, so a creation that fails costs
        // nobody their allowance.
        if let Some(refused) = self.admit(&creation).await? {
            return Ok(refused);
        }
        // The inboxes were asked over the network: another creation may have won.
        if let Some(answer) = self.taken(&creation)? {
            return answer;
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
        self.write_behind(&creation.info).await;
        self.arm(now).await;
        http::json(201, &serde_json::json!({ "room": creation.info }))
    }

    /// The answer when this room exists already (the core decides which): found again
    /// (a direct room asked for by its two members), or 409 with its info only when it is
    /// public.
    fn taken(&self, creation: &Creation) -> Result<Option<Result<Response>>> {
        let Some(existing) = self.store().info().map_err(stored)? else {
            return Ok(None);
        };
        let pair: Vec<&str> = std::iter::once(creation.creator.user_id.as_str())
            .chain(creation.members.iter().map(|(id, _)| id.as_str()))
            .collect();
        let same_pair = self.is_direct_of(&existing, &pair)?;
        Ok(Some(
            match creation::existing(existing, &creation.info, same_pair) {
                creation::Existing::FoundAgain(room) => {
                    http::json(200, &serde_json::json!({ "room": room, "existing": true }))
                }
                creation::Existing::Taken { refusal, disclosed } => {
                    let code = refusal.code();
                    let mut body = serde_json::json!({
                        "error": { "code": code, "message": refusal.message() }
                    });
                    if let Some(room) = disclosed {
                        body["room"] = serde_json::to_value(&room)?;
                    }
                    http::json(code.status(), &body)
                }
            },
        ))
    }

    /// Asks the inbox of each user the new room adds whether they may be added to one
    /// more room this hour; the refusal to answer with, if one may not.
    async fn admit(&self, creation: &Creation) -> Result<Option<Response>> {
        for (user_id, name) in &creation.members {
            if *user_id == creation.creator.user_id {
                continue;
            }
            let admission = InboxStub::new(&self.env, user_id)?
                .admit(&creation.info.room_id)
                .await?;
            if let Admission::Refused { retry_after } = admission {
                return http::refused(&added_too_often(name, retry_after)).map(Some);
            }
        }
        Ok(None)
    }

    /// A direct room made before direct ids had their own prefix: its info when it is
    /// stored as direct with both users as members, else 404. A public room that took
    /// such an id is not one.
    pub(super) async fn find_direct(&self, pair: [String; 2]) -> Result<Response> {
        let store = self.store();
        store.prepare().map_err(stored)?;
        match store.info().map_err(stored)? {
            Some(info) if self.is_direct_of(&info, &[&pair[0], &pair[1]])? => {
                http::json(200, &serde_json::json!({ "room": info, "existing": true }))
            }
            _ => http::error(ErrorCode::NotFound, "no direct room of these two"),
        }
    }

    /// Whether the stored room `info` is the direct room of exactly the two `pair`.
    fn is_direct_of(&self, info: &RoomInfo, pair: &[&str]) -> Result<bool> {
        if info.kind != RoomKind::Direct || pair.len() != 2 || pair[0] == pair[1] {
            return Ok(false);
        }
        let store = self.store();
        for user_id in pair {
            if !store.is_member(user_id).map_err(stored)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether `who` may upload `file_id` here (and give `thumbnailOf` a thumbnail):
    /// asked before any byte is stored. If so, the room records that the bytes are on
    /// their way, and its alarm deletes them unless the file is registered in time.
    pub(super) async fn check_upload(
        &self,
        who: &Identity,
        file_id: &str,
        thumbnail_of: Option<String>,
    ) -> Result<Response> {
        let now = Date::now().as_millis();
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
        let checked = match self.core.borrow_mut().as_mut() {
            Some(core) => core.intend_upload(&who.user_id, file_id, thumbnail_of.as_deref(), now),
            None => return http::error(ErrorCode::Internal, "the room could not be loaded"),
        };
        match checked {
            Ok(()) => {
                self.arm(now).await;
                Ok(Response::empty()?.with_status(204))
            }
            Err(UploadRefused::Failed(err)) => {
                self.drop_core();
                Err(stored(err))
            }
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
        let now = Date::now().as_millis();
        if let Some(refused) = self.ready(now).await {
            return refused;
        }
        let registered = match self.core.borrow_mut().as_mut() {
            Some(core) => core.register_upload(&who.user_id, upload, thumbnail_of.as_deref(), now),
            None => return http::error(ErrorCode::Internal, "the room could not be loaded"),
        };
        match registered {
            Ok(()) => {
                self.arm(now).await;
                Ok(Response::empty()?.with_status(201))
            }
            Err(UploadRefused::Failed(err)) => {
                // Not stored: the room loads again, and the Worker cleans up.
                self.drop_core();
                Err(stored(err))
            }
            Err(refused) => refusal(&refused),
        }
    }
}

fn refusal(refused: &UploadRefused) -> Result<Response> {
    http::error(refused.code(), &refused.to_string())
}
