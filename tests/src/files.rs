//! Uploads and downloads over the real HTTP API, the bytes they carry, and what R2 holds.

use reqwest::Method;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use edgechat_protocol::{ClientMsg, Message, RoomEvent, ServerMsg};

use crate::{account::Session, server::Server, socket::Client};
use edgechat_protocol::frame;

/// The header that carries an upload's percent-encoded name.
pub const NAME_HEADER: &str = "X-File-Name";

impl Server {
    /// Uploads `bytes` named `name` to `room` (as the thumbnail of `thumbnail_of`, if
    /// given); returns the status and the JSON body.
    pub async fn upload(
        &self,
        token: &str,
        room: &str,
        name: &str,
        bytes: &[u8],
        thumbnail_of: Option<&str>,
    ) -> (u16, Value) {
        let path = match thumbnail_of {
            Some(original) => format!("/api/rooms/{room}/files?thumbnailOf={original}"),
            None => format!("/api/rooms/{room}/files"),
        };
        let response = self
            .request(Method::POST, &path, token)
            .header(NAME_HEADER, percent_encode(name))
            .header("Content-Type", "image/png")
            .body(bytes.to_vec())
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Uploads and expects a 201; returns the file's id.
    pub async fn uploaded(&self, token: &str, room: &str, name: &str, bytes: &[u8]) -> String {
        let (status, body) = self.upload(token, room, name, bytes, None).await;
        assert_eq!(status, 201, "uploading {name}: {body}");
        body["fileId"].as_str().expect("a file id").to_owned()
    }

    /// GETs `path` with `token`, and a `Range` header if given.
    pub async fn download(
        &self,
        path: &str,
        token: &str,
        range: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.request(Method::GET, path, token);
        if let Some(range) = range {
            request = request.header("Range", range);
        }
        request.send().await.expect("the server answers")
    }

    /// Sends a raw HTTP/1.1 request (for what reqwest will not send, such as a body with
    /// no length) and returns the status.
    pub async fn raw_status(&self, head: &str, body: &[u8]) -> u16 {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port()))
            .await
            .expect("the server listens");
        stream.write_all(head.as_bytes()).await.expect("sent");
        stream.write_all(body).await.expect("sent");
        let mut answer = vec![0u8; 1024];
        let n = stream.read(&mut answer).await.expect("an answer");
        let answer = String::from_utf8_lossy(&answer[..n]);
        answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {answer:?}"))
    }

    /// How many objects R2 holds, counted as the blobs of the local bucket (every stored
    /// object has one; a refused upload must leave none).
    pub fn r2_blobs(&self) -> usize {
        let dir = self.state_dir().join("v3/r2/edgechat-files/blobs");
        std::fs::read_dir(dir).map_or(0, |entries| entries.count())
    }
}

/// `name` percent-encoded as a browser's `encodeURIComponent` would.
pub fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A real PNG of `width` × `height` pixels of one colour, which browsers decode.
pub fn png(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    // Each row: filter type 0 (none), then the pixels.
    let row: Vec<u8> = std::iter::once(0)
        .chain(rgb.iter().copied().cycle().take(width as usize * 3))
        .collect();
    let raw = row.repeat(height as usize);
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut crc_input = kind.to_vec();
    crc_input.extend(data);
    out.extend(&crc_input);
    out.extend(crc32(&crc_input).to_be_bytes());
}

/// zlib with uncompressed deflate blocks: valid, and simple enough to write here.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Bytes an MP4 player recognises at the start, then `len` bytes of counting data, so
/// any range of it can be checked.
pub fn mp4(len: usize) -> Vec<u8> {
    let mut bytes = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    bytes.extend((0..len).map(|i| (i % 251) as u8));
    bytes
}

/// `who` sends a message in `room` carrying `files`; returns the stored message.
pub async fn attach(client: &mut Client, room: &str, files: &[&str], id: &str) -> ServerMsg {
    client
        .send(&ClientMsg::SendMessage {
            room_id: room.into(),
            text: "see attached".into(),
            attachments: files.iter().map(|f| f.to_string()).collect(),
            reply_to: None,
            client_msg_id: id.into(),
        })
        .await;
    client
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::MessageAck(frame::MessageAck { .. })
                    | ServerMsg::Error(frame::Error { .. })
            )
        })
        .await
}

/// The next new message `client` sees.
pub async fn new_message(client: &mut Client) -> Message {
    match client
        .recv_until(|m| matches!(m, ServerMsg::Event(RoomEvent::NewMessage(_))))
        .await
    {
        ServerMsg::Event(RoomEvent::NewMessage(message)) => message,
        _ => unreachable!(),
    }
}

/// The status of a GET of `path` with `token`.
pub async fn status_of(server: &Server, path: &str, token: &str) -> u16 {
    server.download(path, token, None).await.status().as_u16()
}

/// A room `owner` created, which `member` has joined.
pub async fn shared_room(server: &Server, owner: &Session, member: &Session, name: &str) -> Client {
    server.room(owner, name).await;
    Client::join(server, name, member).await
}
