//! What a request to create a room meets before the room exists: an id of the wrong shape
//! for its kind, or a room there already. The room's door reports what it found; these
//! decide the answer.

use edgechat_protocol::{ErrorCode, RoomInfo, RoomKind};

use super::Refusal;
use crate::ids::{self, IdShape};

/// What creating a room meets where a room exists already.
#[derive(Debug)]
pub enum Existing {
    /// The direct room of the same two people, asked for again: it is the answer.
    FoundAgain(RoomInfo),
    /// The id is taken: refused, with the room shown only when it is public (a private
    /// or direct room's name and members stay hidden).
    Taken {
        refusal: Refusal,
        disclosed: Option<RoomInfo>,
    },
}

/// The answer to creating `asked` where `existing` is, `same_pair` when `existing` is a
/// direct room whose members are exactly the two `asked` names.
pub fn existing(existing: RoomInfo, asked: &RoomInfo, same_pair: bool) -> Existing {
    if asked.kind == RoomKind::Direct && existing.kind == RoomKind::Direct && same_pair {
        return Existing::FoundAgain(existing);
    }
    let disclosed = (existing.kind == RoomKind::Public).then_some(existing);
    Existing::Taken {
        refusal: Refusal::new(ErrorCode::RoomExists, "a room with that name exists"),
        disclosed,
    }
}

/// Why a new room's id may not be of its kind: a named room's is a slug, a direct or group
/// room's has its prefix, so one kind can never take another's id.
pub fn shape_refused(info: &RoomInfo) -> Option<Refusal> {
    let shape = ids::shape(&info.room_id);
    let fits = match info.kind {
        RoomKind::Public | RoomKind::Private => shape == IdShape::Named,
        RoomKind::Direct => shape == IdShape::Direct,
        RoomKind::Group => shape == IdShape::Group,
    };
    (!fits).then(|| Refusal::new(ErrorCode::BadRoom, "this id is not of that kind of room"))
}
