//! The top of the component tree: a join form until the user picks a room, then the room.

use dioxus::prelude::*;

use crate::components::{ChatRoom, JoinForm};

/// Where the user is: which room, under which name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub name: String,
    pub room: String,
}

#[component]
pub fn App() -> Element {
    let session = use_signal(|| None::<Session>);
    rsx! {
        main { class: "app",
            match session() {
                None => rsx! { JoinForm { session } },
                Some(s) => rsx! { ChatRoom { key: "{s.room}", name: s.name, room: s.room } },
            }
        }
    }
}
