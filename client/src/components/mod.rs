mod chat_room;
mod join_form;
mod message_input;
mod message_list;

pub use chat_room::ChatRoom;
pub use join_form::JoinForm;
