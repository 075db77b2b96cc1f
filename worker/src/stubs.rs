//! Typed calls to the Durable Objects. Every request the Worker (or one object) makes of a
//! Room or an Inbox object is a value of [`RoomCall`] or [`InboxCall`], built by a stub
//! method here and read back here by the object: no call site assembles a path or a
//! header name. Each request is built from scratch, so nothing a client sent can pose as
//! a call.

use edgechat_core::{
    Identity, Upload,
    room::{HookChange, HookPost},
};
use edgechat_protocol::{Seq, ServerMsg};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::{Env, Headers, Method, Request, RequestInit, Response, Result, Stub};

use crate::auth::users::UserRow;

mod calls;
mod carried;
mod inbox;
mod shard;
pub use calls::{Connection, Creation, ExportCall, HookCall, ImportCall, ResponseCall};
pub use carried::Carried;
pub use inbox::{Admission, InboxCall, InboxStub};
pub use shard::{SHARD_HEADER, ShardCall, ShardStub};

/// The header a call travels in when the request can have no body (a WebSocket upgrade).
const CALL_HEADER: &str = "X-Edgechat-Call";

/// The header that carries the request id of the request a call serves, so the object's
/// lines for it carry that id too.
const REQUEST_ID_HEADER: &str = "X-Request-Id";

impl From<&UserRow> for Identity {
    /// Who a signed-in user is to a room: their id, the name others see, whether they
    /// are a global admin. A socket's token expiry and wire version are added at the door.
    fn from(user: &UserRow) -> Self {
        Identity {
            user_id: user.id.clone(),
            username: user.display_name.clone(),
            handle: user.username.clone(),
            global_admin: user.is_admin(),
            expires_at: None,
            version: 1,
            status: Some(user.status()),
            status_text: Some(user.status_text.clone()).filter(|t| !t.is_empty()),
        }
    }
}

/// What a room object is asked.
#[derive(Serialize, Deserialize)]
// Externally tagged (`{"connect": {...}}`): only this build speaks it, and unlike an
// internal tag it decodes without buffering the whole call first (serde's `Content`),
// which kept about 40 KB of generated code in the Worker.
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum RoomCall {
    /// A WebSocket upgrade: opening a room's socket joins the room. `protocol` is the
    /// subprotocol to answer with.
    Connect(Connection),
    /// A page of history (`GET /api/rooms/{id}/messages`).
    History {
        who: Identity,
        before: Option<Seq>,
        limit: Option<u32>,
    },
    Create(Creation),
    /// The direct room of these two, if this object holds one (for ids made before
    /// direct rooms had their own prefix).
    FindDirect {
        pair: [String; 2],
    },
    /// Whether `who` may upload `file_id` here, before any byte is stored; if so the
    /// room records that its bytes are on their way.
    CheckUpload {
        who: Identity,
        file_id: String,
        thumbnail_of: Option<String>,
    },
    /// Keep a stored upload, checking again.
    RegisterUpload {
        who: Identity,
        upload: Upload,
        thumbnail_of: Option<String>,
    },
    /// The room's incoming hooks, for an admin: listed (`change` none), or changed.
    Hooks {
        who: Identity,
        change: Option<HookChange>,
    },
    /// An export of the room for `who`.
    Export {
        who: Identity,
        call: ExportCall,
    },
    /// An import into the room by `who`: begun, its archive stored, or how far it is.
    Import {
        who: Identity,
        import_id: String,
        call: ImportCall,
    },
    /// A program's post through an incoming hook, its body read by the door.
    HookPost(HookCall),
    /// A command's program answering later, through its `response_url`.
    Respond(ResponseCall),
    /// The room's commands, for a member's composer (`GET /api/rooms/{id}/commands`).
    Commands(Identity),
    /// A member's new global status, relayed by their inbox.
    RelayStatus {
        status: Carried,
    },
    /// The account was disabled: close its sockets now.
    Revoke {
        user_id: String,
    },
    /// A socket a shard accepted (`shard_object`): it joins as one of the room's own
    /// would. Answered with the shard's first delivery, which holds its first frames.
    ShardConnect {
        conn: String,
        who: Identity,
        since: Option<Seq>,
        shard: u32,
        epoch: String,
    },
    /// A frame from a shard's socket (`raw`; `None` for a binary one).
    ShardFrame {
        conn: String,
        raw: Option<String>,
    },
    /// A shard's socket closed.
    ShardGone {
        conn: String,
    },
    /// A shard missed deliveries: the durable events after `after`.
    ShardPull {
        after: Seq,
    },
    /// The bench build only: a raw frame for every socket, as a newer server would send.
    #[cfg(feature = "bench")]
    Frames {
        raw: String,
    },
    /// The bench build only: load again from storage and the attached sockets, as after
    /// an eviction.
    #[cfg(feature = "bench")]
    Reload,
    /// The bench build only: every socket dropped at once and the room loaded afresh, as
    /// when a new version is deployed.
    #[cfg(feature = "bench")]
    Redeploy,
    /// The bench build only: the faults to inject from now on.
    #[cfg(feature = "bench")]
    Faults(Faults),
    /// The bench build only: how many storage reads and writes the objects ran.
    #[cfg(feature = "bench")]
    Storage,
}

/// Faults a test injects into one room object, to show what survives them. Held in
/// memory: an eviction clears them. Only the bench build can set them; in the deployed
/// build they are always none, and the checks for them fold away.
#[derive(Debug, Default, Clone, Copy)]
#[cfg_attr(feature = "bench", derive(Serialize, Deserialize))]
#[cfg_attr(
    feature = "bench",
    serde(rename_all = "camelCase", deny_unknown_fields)
)]
pub struct Faults {
    /// Every batch of the log fails, as if D1 refused it.
    #[cfg_attr(feature = "bench", serde(default))]
    pub fail_batches: bool,
    /// A step's socket closes are lost, as if the object died between storing the step
    /// and carrying it out.
    #[cfg_attr(feature = "bench", serde(default))]
    pub lose_closes: bool,
    /// This many of the next deliveries to shards are lost, as a call between objects
    /// can be.
    #[cfg(feature = "bench")]
    #[serde(default)]
    pub lose_deliveries: u32,
}

/// A call as a request: in the body, or in a header for an upgrade.
fn request(json: String, upgrade: bool) -> Result<Request> {
    let headers = Headers::new();
    if let Some(id) = crate::log::field("requestId") {
        headers.set(REQUEST_ID_HEADER, &id)?;
    }
    let mut init = RequestInit::new();
    if upgrade {
        headers.set("Upgrade", "websocket")?;
        headers.set(CALL_HEADER, &ascii(&json))?;
        init.with_method(Method::Get);
    } else {
        headers.set("Content-Type", "application/json")?;
        init.with_method(Method::Post)
            .with_body(Some(JsValue::from_str(&json)));
    }
    init.with_headers(headers);
    Request::new_with_init("https://object.internal/", &init)
}

/// `json` with every character past ASCII written as a `\u` escape (two for one past the
/// Basic Multilingual Plane): still the same JSON, and a valid header value, which a
/// display name like "Zoë" would not be.
fn ascii(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| worker::Error::RustError(e.to_string()))
}

/// The log fields of a call: the id of the request it serves, if the caller had one.
pub fn log_fields(req: &Request) -> serde_json::Map<String, serde_json::Value> {
    match req.headers().get(REQUEST_ID_HEADER).ok().flatten() {
        Some(id) => crate::log::request(&id),
        None => serde_json::Map::new(),
    }
}

/// Reads the call a request carries; `None` for one no stub made.
async fn read<T: for<'de> Deserialize<'de>>(req: &mut Request) -> Result<Option<T>> {
    let json = match req.headers().get(CALL_HEADER)? {
        Some(json) => json,
        None => req.text().await?,
    };
    Ok(serde_json::from_str(&json).ok())
}

impl RoomCall {
    /// The call `req` carries, if a [`RoomStub`] made it.
    pub async fn read(req: &mut Request) -> Result<Option<Self>> {
        read(req).await
    }
}

/// The object of one room.
pub struct RoomStub(Stub);

impl RoomStub {
    pub fn new(env: &Env, room_id: &str) -> Result<Self> {
        Ok(Self(
            env.durable_object("ROOM")?
                .id_from_name(room_id)?
                .get_stub()?,
        ))
    }

    async fn call(&self, call: &RoomCall) -> Result<Response> {
        let upgrade = matches!(call, RoomCall::Connect(_));
        self.0
            .fetch_with_request(request(to_json(call)?, upgrade)?)
            .await
    }

    /// A room's answer to an upgrade it sends to a shard: which one.
    pub fn shard_of(response: &Response) -> Option<u32> {
        let shard = response.headers().get(SHARD_HEADER).ok().flatten()?;
        shard.parse().ok()
    }

    pub async fn shard_connect(&self, call: &RoomCall) -> Result<Response> {
        self.call(call).await
    }

    pub async fn shard_frame(&self, conn: &str, raw: Option<String>) -> Result<Response> {
        self.call(&RoomCall::ShardFrame {
            conn: conn.to_owned(),
            raw,
        })
        .await
    }

    pub async fn shard_gone(&self, conn: &str) -> Result<Response> {
        self.call(&RoomCall::ShardGone {
            conn: conn.to_owned(),
        })
        .await
    }

    pub async fn shard_pull(&self, after: Seq) -> Result<Response> {
        self.call(&RoomCall::ShardPull { after }).await
    }

    pub async fn connect(&self, connection: Connection) -> Result<Response> {
        self.call(&RoomCall::Connect(connection)).await
    }

    pub async fn history(
        &self,
        who: Identity,
        before: Option<Seq>,
        limit: Option<u32>,
    ) -> Result<Response> {
        self.call(&RoomCall::History { who, before, limit }).await
    }

    pub async fn create(&self, creation: Creation) -> Result<Response> {
        self.call(&RoomCall::Create(creation)).await
    }

    pub async fn find_direct(&self, a: &str, b: &str) -> Result<Response> {
        self.call(&RoomCall::FindDirect {
            pair: [a.to_owned(), b.to_owned()],
        })
        .await
    }

    pub async fn check_upload(
        &self,
        who: Identity,
        file_id: &str,
        thumbnail_of: Option<String>,
    ) -> Result<Response> {
        self.call(&RoomCall::CheckUpload {
            who,
            file_id: file_id.to_owned(),
            thumbnail_of,
        })
        .await
    }

    pub async fn register_upload(
        &self,
        who: Identity,
        upload: Upload,
        thumbnail_of: Option<String>,
    ) -> Result<Response> {
        self.call(&RoomCall::RegisterUpload {
            who,
            upload,
            thumbnail_of,
        })
        .await
    }

    pub async fn hooks(&self, who: Identity, change: Option<HookChange>) -> Result<Response> {
        self.call(&RoomCall::Hooks { who, change }).await
    }

    pub async fn hook_post(&self, hook_id: &str, secret: &str, post: HookPost) -> Result<Response> {
        self.call(&RoomCall::HookPost(HookCall {
            hook_id: hook_id.to_owned(),
            secret: secret.to_owned(),
            post,
        }))
        .await
    }

    pub async fn export(&self, who: Identity, call: ExportCall) -> Result<Response> {
        self.call(&RoomCall::Export { who, call }).await
    }

    pub async fn import(
        &self,
        who: Identity,
        import_id: &str,
        call: ImportCall,
    ) -> Result<Response> {
        self.call(&RoomCall::Import {
            who,
            import_id: import_id.to_owned(),
            call,
        })
        .await
    }

    pub async fn commands(&self, who: Identity) -> Result<Response> {
        self.call(&RoomCall::Commands(who)).await
    }

    pub async fn respond(&self, call: ResponseCall) -> Result<Response> {
        self.call(&RoomCall::Respond(call)).await
    }

    pub async fn relay_status(&self, status: ServerMsg) -> Result<Response> {
        self.call(&RoomCall::RelayStatus {
            status: Carried(status),
        })
        .await
    }

    pub async fn revoke(&self, user_id: &str) -> Result<Response> {
        self.call(&RoomCall::Revoke {
            user_id: user_id.to_owned(),
        })
        .await
    }

    #[cfg(feature = "bench")]
    pub async fn frames(&self, raw: String) -> Result<Response> {
        self.call(&RoomCall::Frames { raw }).await
    }

    #[cfg(feature = "bench")]
    pub async fn reload(&self) -> Result<Response> {
        self.call(&RoomCall::Reload).await
    }

    #[cfg(feature = "bench")]
    pub async fn redeploy(&self) -> Result<Response> {
        self.call(&RoomCall::Redeploy).await
    }

    #[cfg(feature = "bench")]
    pub async fn storage(&self) -> Result<Response> {
        self.call(&RoomCall::Storage).await
    }

    #[cfg(feature = "bench")]
    pub async fn faults(&self, faults: Faults) -> Result<Response> {
        self.call(&RoomCall::Faults(faults)).await
    }
}
