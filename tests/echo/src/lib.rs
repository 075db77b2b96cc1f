//! The benchmark's ceiling: a Worker whose `Echo` object holds hibernating sockets and
//! broadcasts each frame, with no rules, storage or checks, so `cargo xtask bench` can show
//! what fraction of the bare platform edgechat achieves. It is a Worker of its own, with
//! its own wrangler.toml, so that nothing of it is in what `wrangler deploy` ships.
//!
//! Routes: `GET /api/health` (for the harness's start-up wait) and
//! `GET /api/bench/echo/{room}/ws` (one object per room, as edgechat has).

use worker::{
    Context, DurableObject, Env, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair, durable_object, event,
};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["api", "health"] => Response::from_json(&serde_json::json!({ "ok": true })),
        ["api", "bench", "echo", room, "ws"] => {
            env.durable_object("ECHO")?
                .id_from_name(room)?
                .get_stub()?
                .fetch_with_request(req)
                .await
        }
        _ => Response::error("there is no such endpoint", 404),
    }
}

#[durable_object]
pub struct Echo {
    state: State,
}

impl DurableObject for Echo {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    async fn fetch(&self, _req: Request) -> Result<Response> {
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        Response::from_websocket(pair.client)
    }

    async fn websocket_message(
        &self,
        _ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        if let WebSocketIncomingMessage::String(text) = message {
            for socket in self.state.get_websockets() {
                let _ = socket.send_with_str(&text);
            }
        }
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        let _ = ws.close(Some(1000), Some("bye"));
        Ok(())
    }
}
