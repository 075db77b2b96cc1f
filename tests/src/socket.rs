//! A WebSocket client that speaks the protocol, for driving rooms from tests.

use std::time::Duration;

use edgechat_protocol::{ClientMsg, ServerMsg};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message as Frame, client::IntoClientRequest, http::HeaderValue},
};

use crate::{account::Session, server::Server};
use edgechat_protocol::frame;

/// How long a test waits for a frame it expects.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Frames a `members-arrived` stood for, not yet read.
    unpacked: std::collections::VecDeque<ServerMsg>,
    /// Frames of a `batch` not yet read.
    batched: std::collections::VecDeque<ServerMsg>,
    /// How many `batch` frames carrying more than one frame have come.
    pub packed: usize,
    /// The highest seq this socket has been sent (a `room-joined`'s head counts).
    seen: u64,
}

impl Client {
    /// Opens `room` as `who`, checks that `room-joined` is the first frame, and reads
    /// everything the join caused, so the next frame is news.
    pub async fn join(server: &Server, room: &str, who: &Session) -> Self {
        let (client, frames) = Self::join_since(server, room, who, None).await;
        assert!(
            matches!(
                frames.first(),
                Some(ServerMsg::RoomJoined(frame::RoomJoined { .. }))
            ),
            "first frame was {:?}",
            frames.first()
        );
        client
    }

    /// Opens `room` as `who`, resuming after `since`, and returns every frame the join
    /// caused, in order, presence included.
    pub async fn join_since(
        server: &Server,
        room: &str,
        who: &Session,
        since: Option<u64>,
    ) -> (Self, Vec<ServerMsg>) {
        let path = match since {
            Some(since) => format!("/api/rooms/{room}/ws?since={since}"),
            None => format!("/api/rooms/{room}/ws"),
        };
        let mut client = Self::open(server, &path, Some(&who.access_token), None)
            .await
            .expect("the upgrade is accepted");
        let frames = client.sync().await;
        (client, frames)
    }

    /// Opens `who`'s inbox socket and returns every frame the connection caused.
    pub async fn inbox(server: &Server, who: &Session) -> (Self, Vec<ServerMsg>) {
        Self::inbox_at(server, who, "/api/me/ws").await
    }

    /// Opens `who`'s inbox socket at `path` (`/api/me/ws` with a query).
    pub async fn inbox_at(server: &Server, who: &Session, path: &str) -> (Self, Vec<ServerMsg>) {
        let mut client = Self::open(server, path, Some(&who.access_token), None)
            .await
            .expect("the upgrade is accepted");
        let frames = client.sync().await;
        (client, frames)
    }

    /// Opens `room` with `token` (offered as a subprotocol, as browsers do) and an
    /// optional `Origin`; returns the HTTP status when the upgrade is refused.
    pub async fn connect(
        server: &Server,
        room: &str,
        token: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Self, u16> {
        Self::open(server, &format!("/api/rooms/{room}/ws"), token, origin).await
    }

    /// Opens `room` as `who` on a client that speaks only `edgechat.v{version}`, and
    /// returns every frame the join caused.
    pub async fn join_on_version(
        server: &Server,
        room: &str,
        who: &Session,
        version: u32,
    ) -> (Self, Vec<ServerMsg>) {
        Self::join_on_version_since(server, room, who, version, None).await
    }

    /// [`Self::join_on_version`], resuming after `since`.
    pub async fn join_on_version_since(
        server: &Server,
        room: &str,
        who: &Session,
        version: u32,
        since: Option<u64>,
    ) -> (Self, Vec<ServerMsg>) {
        let path = match since {
            Some(since) => format!("/api/rooms/{room}/ws?since={since}"),
            None => format!("/api/rooms/{room}/ws"),
        };
        let mut client = Self::open_offering(server, &path, Some(&who.access_token), None, version)
            .await
            .expect("the upgrade is accepted");
        let frames = client.sync().await;
        (client, frames)
    }

    async fn open(
        server: &Server,
        path: &str,
        token: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Self, u16> {
        let version = edgechat_protocol::PROTOCOL_VERSION;
        Self::open_offering(server, path, token, origin, version).await
    }

    /// Opens `path`; with a token, offering wire versions up to `version` only.
    async fn open_offering(
        server: &Server,
        path: &str,
        token: Option<&str>,
        origin: Option<&str>,
        version: u32,
    ) -> Result<Self, u16> {
        let mut request = server
            .ws_url(path)
            .into_client_request()
            .expect("a valid URL");
        let headers = request.headers_mut();
        if let Some(origin) = origin {
            headers.insert("Origin", HeaderValue::from_str(origin).expect("header"));
        }
        if let Some(token) = token {
            let offer = if version == edgechat_protocol::PROTOCOL_VERSION {
                edgechat_auth::subprotocol::offer(token)
            } else {
                format!("edgechat.v{version}, bearer.{token}")
            };
            headers.insert(
                "Sec-WebSocket-Protocol",
                HeaderValue::from_str(&offer).expect("header"),
            );
        }
        match connect_async(request).await {
            Ok((ws, response)) => {
                if token.is_some() {
                    let chosen = response.headers().get("Sec-WebSocket-Protocol");
                    assert_eq!(
                        chosen.and_then(|v| v.to_str().ok()),
                        Some(edgechat_auth::subprotocol::name(version).as_str()),
                        "the server picks this build's edgechat.vN and never echoes the token"
                    );
                }
                Ok(Self {
                    ws,
                    unpacked: Default::default(),
                    batched: Default::default(),
                    packed: 0,
                    seen: 0,
                })
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(err) => panic!("upgrade failed: {err}"),
        }
    }

    /// Sends a ping that the room itself answers (not the runtime's auto-response, which
    /// could overtake frames still being handled) and reads until its pong, so everything
    /// the room sent before has arrived; returns what came first, presence included.
    pub async fn sync(&mut self) -> Vec<ServerMsg> {
        self.send_raw(r#"{"type":"ping","reqId":"sync"}"#).await;
        let mut before = Vec::new();
        loop {
            match self.recv_any().await {
                ServerMsg::Pong(frame::Pong {}) => return before,
                other => before.push(other),
            }
        }
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        let frame = serde_json::to_string(msg).expect("serialize");
        self.send_raw(&frame).await;
    }

    /// Sends a text frame exactly as given.
    pub async fn send_raw(&mut self, text: &str) {
        self.ws
            .send(Frame::text(text.to_owned()))
            .await
            .expect("the socket takes the frame");
    }

    pub async fn send_binary(&mut self, bytes: &[u8]) {
        self.ws
            .send(Frame::binary(bytes.to_vec()))
            .await
            .expect("the socket takes the frame");
    }

    /// The next text frame, raw.
    pub async fn recv_raw(&mut self) -> String {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("a frame arrives in time")
                .expect("the socket is open")
                .expect("a readable frame");
            match frame {
                Frame::Text(text) => return text.to_string(),
                Frame::Ping(_) | Frame::Pong(_) => continue,
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// Closes the socket as a browser does when the user leaves the room (a close
    /// frame, then the server's answer), so the room knows at once that no one reads
    /// it here. (Dropping a `Client` only drops the TCP connection, which `wrangler
    /// dev`'s proxy may not pass on for a while.)
    pub async fn leave(mut self) {
        self.ws.close(None).await.expect("the close frame goes out");
        while let Ok(Some(Ok(_))) = tokio::time::timeout(PATIENCE, self.ws.next()).await {}
    }

    /// Reads until the server closes the socket; returns the close code.
    pub async fn closed_with(&mut self) -> Option<u16> {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("the socket closes in time");
            match frame {
                Some(Ok(Frame::Close(close))) => return close.map(|c| u16::from(c.code)),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Reads until the server closes the socket; returns the text frames that came
    /// first and the close code.
    pub async fn closed_with_frames(&mut self) -> (Vec<String>, Option<u16>) {
        let mut frames = Vec::new();
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("the socket closes in time");
            match frame {
                Some(Ok(Frame::Close(close))) => {
                    return (frames, close.map(|c| u16::from(c.code)));
                }
                Some(Ok(Frame::Text(text))) => frames.push(text.to_string()),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return (frames, None),
            }
        }
    }

    /// The next frame, a `batch` read as its frames in order (as the client's socket
    /// reads it), everything else as it came.
    pub async fn recv_frame(&mut self) -> ServerMsg {
        loop {
            if let Some(msg) = self.batched.pop_front() {
                return msg;
            }
            let text = self.recv_raw().await;
            if let Some(msg) = self.unbatched(&text) {
                return msg;
            }
        }
    }

    /// [`Client::recv_frame`], or `None` once the server has closed the socket.
    pub async fn recv_frame_or_close(&mut self) -> Option<ServerMsg> {
        loop {
            if let Some(msg) = self.batched.pop_front() {
                return Some(msg);
            }
            let frame = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("a frame or a close arrives in time");
            match frame {
                Some(Ok(Frame::Text(text))) => {
                    if let Some(msg) = self.unbatched(&text) {
                        return Some(msg);
                    }
                }
                Some(Ok(Frame::Close(_)) | Err(_)) | None => return None,
                Some(Ok(_)) => {}
            }
        }
    }

    /// A frame as sent: itself, or, for a `batch`, nothing yet (its frames are queued).
    fn unbatched(&mut self, text: &str) -> Option<ServerMsg> {
        match serde_json::from_str(text).unwrap_or_else(|e| panic!("undecodable {text:?}: {e}")) {
            ServerMsg::Batch(frame::Batch { frames }) => {
                assert!(
                    !frames.is_empty() && !frames.iter().any(|m| matches!(m, ServerMsg::Batch(_))),
                    "a batch holds frames, never none and never a batch: {frames:?}"
                );
                self.packed += usize::from(frames.len() > 1);
                self.batched.extend(frames);
                None
            }
            msg => Some(msg),
        }
    }

    /// The next event of any kind. A `batch` is read as its frames, in order; a
    /// `members-arrived` as the frames it stands for, as the client's reducer reads it:
    /// each join not already seen, then each status.
    pub async fn recv_any(&mut self) -> ServerMsg {
        loop {
            if let Some(msg) = self.unpacked.pop_front() {
                return msg;
            }
            match self.recv_frame().await {
                ServerMsg::MembersArrived(frame::MembersArrived {
                    joined, statuses, ..
                }) => {
                    for event in joined {
                        if event.seq() > self.seen {
                            self.seen = event.seq();
                            self.unpacked.push_back(event.into());
                        }
                    }
                    self.unpacked
                        .extend(statuses.into_iter().map(ServerMsg::UserStatus));
                }
                msg => {
                    let seq = match &msg {
                        ServerMsg::RoomJoined(frame::RoomJoined { head_seq, .. }) => {
                            Some(*head_seq)
                        }
                        msg => msg.seq(),
                    };
                    self.seen = self.seen.max(seq.unwrap_or(0));
                    return msg;
                }
            }
        }
    }

    /// The next event that is not presence (`online-users`, `presence-changed`,
    /// `typing-indicator`, `user-status`), which arrives whenever others come and go.
    pub async fn recv(&mut self) -> ServerMsg {
        loop {
            match self.recv_any().await {
                ServerMsg::OnlineUsers(frame::OnlineUsers { .. })
                | ServerMsg::PresenceChanged(frame::PresenceChanged { .. })
                | ServerMsg::TypingIndicator(frame::TypingIndicator { .. })
                | ServerMsg::UserStatus(frame::UserStatus { .. }) => continue,
                msg => return msg,
            }
        }
    }

    /// Skips events, presence included, until one matches, returning it.
    pub async fn recv_until_any(
        &mut self,
        mut wanted: impl FnMut(&ServerMsg) -> bool,
    ) -> ServerMsg {
        loop {
            let msg = self.recv_any().await;
            if wanted(&msg) {
                return msg;
            }
        }
    }

    /// Reads past presence until an `error` or an event `wanted` accepts: the answer to
    /// what was just sent, whichever it is.
    pub async fn answer(&mut self, wanted: impl Fn(&ServerMsg) -> bool) -> ServerMsg {
        self.recv_until(|m| matches!(m, ServerMsg::Error(frame::Error { .. })) || wanted(m))
            .await
    }

    /// Skips events until one matches, returning it.
    pub async fn recv_until(&mut self, mut wanted: impl FnMut(&ServerMsg) -> bool) -> ServerMsg {
        loop {
            let msg = self.recv().await;
            if wanted(&msg) {
                return msg;
            }
        }
    }
}

/// The code of an `error` event, or `None` for anything else.
pub fn error_code(msg: &ServerMsg) -> Option<edgechat_protocol::ErrorCode> {
    match msg {
        ServerMsg::Error(frame::Error { code, .. }) => Some(*code),
        _ => None,
    }
}

/// The next text frame of a socket the harness's [`Client`] does not wrap (a raw one,
/// such as a version 1 client's or the echo Worker's), within 10 s.
pub async fn next_text<S>(socket: &mut S) -> String
where
    S: futures_util::Stream<Item = Result<Frame, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame in time")
            .expect("the socket is open")
            .expect("a frame");
        if let Frame::Text(text) = frame {
            return text.to_string();
        }
    }
}

/// Sends a WebSocket upgrade request as plain HTTP and returns the status and JSON body of
/// the answer: the way to read why an upgrade was refused (a WebSocket client stops reading
/// after the status line). Extra headers go as given.
pub async fn attempt_upgrade(
    server: &Server,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .get(server.http_url(path))
        .header("Upgrade", "websocket")
        .header("Connection", "Upgrade")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, body)
}
