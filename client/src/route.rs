//! The open room in the address bar: `/r/{roomId}`, so a reload, a shared link or the
//! back button lands in the same room. The History API directly: the Dioxus router would
//! cost more of the size budget than one path shape is worth.

#[cfg(target_arch = "wasm32")]
pub use browser::{current, on_back, show};

/// The room an address names: `/r/{roomId}`, or `/?open={roomId}` (the links of pushes
/// shown before rooms had addresses). Anything that is not a room id names none.
pub fn room_of(path: &str, search: &str) -> Option<String> {
    let id = match path.strip_prefix("/r/") {
        Some(id) => id.trim_end_matches('/').to_owned(),
        None => search
            .trim_start_matches('?')
            .split('&')
            .find_map(|pair| pair.strip_prefix("open="))?
            .to_owned(),
    };
    edgechat_core::ids::is_valid_room_name(&id).then_some(id)
}

/// The address of `room`, or of the app with no room open.
pub fn address_of(room: Option<&str>) -> String {
    match room {
        Some(room) => format!("/r/{room}"),
        None => "/".to_owned(),
    }
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use wasm_bindgen::{JsCast, closure::Closure};

    use super::{address_of, room_of};

    /// The room the address bar names now.
    pub fn current() -> Option<String> {
        let location = web_sys::window()?.location();
        room_of(&location.pathname().ok()?, &location.search().ok()?)
    }

    /// Puts `room` in the address bar as a new history entry, unless it is already there
    /// (the back button landed on it). A `?open=` address is replaced, not kept.
    pub fn show(room: Option<&str>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let here = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        let address = address_of(room);
        if here == address {
            return;
        }
        if let Ok(history) = window.history() {
            let null = wasm_bindgen::JsValue::NULL;
            let _ = if here.contains("?open=") {
                history.replace_state_with_url(&null, "", Some(&address))
            } else {
                history.push_state_with_url(&null, "", Some(&address))
            };
        }
    }

    /// Calls `moved` with the room the address names after each back or forward, until the
    /// returned guard is dropped.
    pub struct Listening(Option<Closure<dyn FnMut(web_sys::Event)>>);

    pub fn on_back(mut moved: impl FnMut(Option<String>) + 'static) -> Listening {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| moved(current()));
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("popstate", closure.as_ref().unchecked_ref());
        }
        Listening(Some(closure))
    }

    impl Drop for Listening {
        fn drop(&mut self) {
            if let (Some(window), Some(closure)) = (web_sys::window(), self.0.take()) {
                let _ = window.remove_event_listener_with_callback(
                    "popstate",
                    closure.as_ref().unchecked_ref(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_names_a_room_only_in_the_shape_of_a_room_id() {
        assert_eq!(room_of("/r/lobby", ""), Some("lobby".into()));
        assert_eq!(room_of("/r/lobby/", ""), Some("lobby".into()));
        assert_eq!(
            room_of("/r/dm.0123456789abcdef01234567", ""),
            Some("dm.0123456789abcdef01234567".into())
        );
        assert_eq!(room_of("/", "?open=dev-ops"), Some("dev-ops".into()));
        assert_eq!(room_of("/", "?x=1&open=lobby"), Some("lobby".into()));
        assert_eq!(
            room_of("/", "?room=lobby"),
            None,
            "?room= fills in the form"
        );
        assert_eq!(room_of("/r/Lobby", ""), None);
        assert_eq!(room_of("/r/a%20b", ""), None);
        assert_eq!(room_of("/r/", ""), None);
        assert_eq!(room_of("/rooms/lobby", ""), None);
    }

    #[test]
    fn each_room_has_its_own_address() {
        assert_eq!(address_of(Some("lobby")), "/r/lobby");
        assert_eq!(address_of(None), "/");
        let id = "g.0123456789abcdef0123456789abcdef";
        assert_eq!(room_of(&address_of(Some(id)), ""), Some(id.to_owned()));
    }
}
