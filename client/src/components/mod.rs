mod attachment;
mod avatar;
mod chat_room;
mod invite;
mod join_form;
mod login_form;
mod message;
mod message_input;
mod message_list;
mod profile_form;
mod rich_text;
mod room_list;
mod typing_indicator;

pub use chat_room::ChatRoom;
pub use login_form::LoginForm;
pub use profile_form::ProfileForm;
pub use room_list::RoomList;
