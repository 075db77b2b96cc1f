//! Typed calls to a user's inbox object: its socket, the rooms it admits the user to, and
//! what it delivers to the user's devices.

use edgechat_core::Identity;
use serde::{Deserialize, Serialize};
use worker::{Env, Request, Response, Result, Stub};

use super::{ExportCall, read, request, to_json};

/// What an inbox object is asked.
#[derive(Serialize, Deserialize)]
// Externally tagged (`{"connect": {...}}`): only this build speaks it, and unlike an
// internal tag it decodes without buffering the whole call first (serde's `Content`),
// which kept about 40 KB of generated code in the Worker.
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum InboxCall {
    /// A WebSocket upgrade: the user's inbox socket.
    Connect {
        who: Identity,
        protocol: Option<String>,
    },
    /// Events for the user from a room (notifications, rooms they were added to).
    Deliver {
        user_id: String,
        /// The events as the room queued them: a JSON array the inbox reads as
        /// [`Carried`](super::Carried)s.
        events: Box<serde_json::value::RawValue>,
    },
    /// Someone adds the user to `room`: admitted while they have been added to fewer
    /// than `ADDED_TO_ROOMS_PER_HOUR` rooms in the last hour (counted here, stored).
    Admit { user_id: String, room: String },
    /// The account was disabled: close every socket, the inbox's and the rooms'.
    Revoke { user_id: String },
    /// The user set their status text (`PATCH /api/me`; `None` clears it): the inbox
    /// owns it, stores it, writes D1 and relays it.
    StatusText {
        user_id: String,
        text: Option<String>,
    },
    /// The user's export of their own account: started, or asked after.
    Export { user_id: String, call: ExportCall },
}

/// The inbox's answer to [`InboxCall::Admit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Admitted,
    /// Over the hourly cap; one more may be added in this many ms.
    Refused {
        retry_after: u64,
    },
}

impl InboxCall {
    /// The call `req` carries, if an [`InboxStub`] made it.
    pub async fn read(req: &mut Request) -> Result<Option<Self>> {
        read(req).await
    }
}

/// The object of one user's inbox, and whose it is.
pub struct InboxStub(Stub, String);

impl InboxStub {
    pub fn new(env: &Env, user_id: &str) -> Result<Self> {
        Ok(Self(
            env.durable_object("INBOX")?
                .id_from_name(user_id)?
                .get_stub()?,
            user_id.to_owned(),
        ))
    }

    async fn call(&self, call: &InboxCall) -> Result<Response> {
        let upgrade = matches!(call, InboxCall::Connect { .. });
        self.0
            .fetch_with_request(request(to_json(call)?, upgrade)?)
            .await
    }

    pub async fn connect(&self, who: Identity, protocol: Option<String>) -> Result<Response> {
        self.call(&InboxCall::Connect { who, protocol }).await
    }

    /// Whether the user may be added to `room` (counted when admitted).
    pub async fn admit(&self, room: &str) -> Result<Admission> {
        let mut response = self
            .call(&InboxCall::Admit {
                user_id: self.1.clone(),
                room: room.to_owned(),
            })
            .await?;
        match response.status_code() {
            204 => Ok(Admission::Admitted),
            429 => {
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                Ok(Admission::Refused {
                    retry_after: body["retryAfter"].as_u64().unwrap_or(60_000),
                })
            }
            status => Err(worker::Error::RustError(format!(
                "the inbox answered {status}"
            ))),
        }
    }

    pub async fn revoke(&self) -> Result<Response> {
        self.call(&InboxCall::Revoke {
            user_id: self.1.clone(),
        })
        .await
    }

    /// Starts an export of the user's account, or asks how far one is.
    pub async fn export(&self, call: ExportCall) -> Result<Response> {
        self.call(&InboxCall::Export {
            user_id: self.1.clone(),
            call,
        })
        .await
    }

    /// Sets the user's status text; answered once stored and written to D1.
    pub async fn set_status_text(&self, text: Option<String>) -> Result<Response> {
        self.call(&InboxCall::StatusText {
            user_id: self.1.clone(),
            text,
        })
        .await
    }

    /// `events`: a JSON array of `ServerMsg`, as a room's outbox holds them.
    pub async fn deliver(&self, user_id: &str, events: String) -> Result<Response> {
        self.call(&InboxCall::Deliver {
            user_id: user_id.to_owned(),
            events: serde_json::value::RawValue::from_string(events)?,
        })
        .await
    }
}
