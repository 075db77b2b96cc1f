//! A browser WebSocket to the Worker, with the access token offered as a subprotocol (a
//! browser cannot set headers on a WebSocket, and a token never goes in a URL).

use edgechat_protocol::{ClientFrame, PROTOCOL_VERSION, ServerMsg, frame};

/// The subprotocols this build speaks (`edgechat.vN`), newest first: the server answers
/// the highest it speaks too (an older one, after a rollback, still finds one) and sends
/// only frame kinds of that version or older.
fn subprotocols() -> impl Iterator<Item = String> {
    (1..=PROTOCOL_VERSION)
        .rev()
        .map(|v| format!("edgechat.v{v}"))
}
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// One attempt of a `Link` (the connection that comes back): a browser socket and the
/// callbacks it calls; dropping it closes the socket.
pub struct Attempt {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Attempt {
    /// Opens `path` (such as `/api/rooms/lobby/ws?since=4`) on this page's host. Each
    /// decoded frame goes to `on_frame`; `on_close` hears the close code.
    pub fn open(
        path: &str,
        token: &str,
        mut on_frame: impl FnMut(ServerMsg) + 'static,
        on_open: impl FnMut() + 'static,
        mut on_close: impl FnMut(u16) + 'static,
    ) -> Result<Self, String> {
        let location = web_sys::window().ok_or("no window")?.location();
        let scheme = if location.protocol().map_err(js_err)? == "https:" {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().map_err(js_err)?;
        let url = format!("{scheme}://{host}{path}");
        let protocols: js_sys::Array = subprotocols()
            .chain(std::iter::once(format!("bearer.{token}")))
            .map(wasm_bindgen::JsValue::from)
            .collect();
        let ws = WebSocket::new_with_str_sequence(&url, &protocols).map_err(js_err)?;

        let on_open = Closure::<dyn FnMut()>::new(on_open);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ServerMsg>(&text) {
                // Read as the frames it carries, in order, as if each had come alone.
                Ok(ServerMsg::Batch(frame::Batch { frames })) => {
                    frames.into_iter().for_each(&mut on_frame)
                }
                Ok(msg) => on_frame(msg),
                Err(err) => web_sys::console::warn_1(&format!("unreadable frame: {err}").into()),
            }
        });
        let on_close =
            Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| on_close(event.code()));
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    pub fn send(&self, frame: &ClientFrame) -> Result<(), String> {
        let frame = serde_json::to_string(frame).map_err(|e| e.to_string())?;
        self.ws.send_with_str(&frame).map_err(js_err)
    }

    /// Sends a raw text frame (the keep-alive ping).
    pub fn send_raw(&self, frame: &str) -> Result<(), String> {
        self.ws.send_with_str(frame).map_err(js_err)
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

fn js_err(value: wasm_bindgen::JsValue) -> String {
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// A fresh client message id: unique for good, so a resend can never duplicate. From
/// `getRandomValues`, which (unlike `randomUUID`) also works on plain-http pages.
pub fn new_client_msg_id() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        return format!("{}-{}", js_sys::Date::now(), js_sys::Math::random());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
