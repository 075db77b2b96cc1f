//! The `Echo` object: the benchmark's ceiling. Hibernating sockets and a broadcast of each
//! frame, with no rules, storage or checks, so `cargo xtask bench` can show what fraction
//! of the bare platform edgechat achieves. Reachable only when the `BENCH` var is set.

use worker::{
    DurableObject, Env, Request, Response, Result, State, WebSocket, WebSocketIncomingMessage,
    WebSocketPair, durable_object,
};

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
