//! The room state machine: commands in, effects out.
//!
//! A room's durable state lives in its store ([`crate::store`]): a command is checked
//! against the tables, becomes a [`RoomEvent`] with the next seq, and the event is
//! appended to the log and folded into the tables in the same atomic step. So the state
//! a room serves and the log it replays cannot drift apart, and nothing in memory grows
//! with history: sockets, presence, typing and rate buckets are the only state beside
//! the store, and none of it needs to outlive hibernation (see docs/architecture.md).

mod arrivals;
mod audit;
mod budget;
mod callouts;
mod connect;
pub mod creation;
mod dispatch;
mod exports;
mod history;
mod hooks;
mod imports;
mod messages;
mod moderation;
mod notify;
mod presence;
mod previews;
mod reactions;
mod refusal;
mod senders;
mod settings;
mod steps;
mod uploads;

use std::collections::{BTreeMap, BTreeSet};

use edgechat_protocol::{Id, Millis, Role, RoomEvent, RoomInfo, Seq, ServerMsg};

pub use crate::sockets::{ConnId, Identity, SocketEffect};
use crate::{
    Limits,
    rate::Bucket,
    sockets::Sockets,
    store::{Sql, Store, StoreError},
};
pub use audit::Via;
pub(crate) use budget::Budget;
pub use callouts::{
    Answered, Asker, CallOut, OUTGOING_ATTEMPTS, RESPONSE_TTL_MS, RESPONSE_USES, is_command,
};
pub use dispatch::added_too_often;
pub use exports::{ExportStep, ExportView, Moved};
pub use hooks::{HookChange, HookPost, HookSpec, HookView, MAX_HOOK_NAME, secret_hash};
pub use imports::{Entry, IMPORT_ENTRY_MAX, ImportRead, ImportView};
pub use notify::{Batch, EXCERPT_CHARS, excerpt};
pub(crate) use refusal::Outcome;
pub use refusal::Refusal;
pub use settings::{Update, capacity_refused};
use steps::Rank;
pub use uploads::{Upload, UploadRefused};

/// How many members with an inbox open elsewhere a batch of new messages tells their
/// unread count, at most: each costs a count over their unread messages (itself capped).
pub const LIVE_COUNTS: usize = 1_000;

/// Something that happened to the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A socket attached; `since` is the last seq it saw before a reconnect.
    Connect {
        conn: ConnId,
        who: Identity,
        since: Option<Seq>,
    },
    /// A socket closed.
    Disconnect { conn: ConnId },
    /// A socket sent a text frame.
    Frame { conn: ConnId, raw: String },
    /// A socket sent a binary frame, which the protocol does not use.
    Binary { conn: ConnId },
    /// The door verified a fresh token for `conn` (after an `authenticate`).
    Reauthenticated {
        conn: ConnId,
        user_id: Id,
        expires_at: Millis,
        req_id: Option<String>,
    },
    /// What the door found of `user_id`, after an `invite-user` on `conn`.
    Invite {
        conn: ConnId,
        user_id: Id,
        invitee: Invitee,
        req_id: Option<String>,
    },
    /// The door looked up the new name of an `update-room` on `conn` (an
    /// [`Effect::CheckName`]): `taken` when another room has it.
    NameChecked {
        conn: ConnId,
        update: Update,
        req_id: Option<String>,
        taken: bool,
    },
    /// A member's global status changed (relayed from their inbox).
    Status(ServerMsg),
    /// The Durable Object fetched the preview an [`Effect::FetchPreview`] asked for:
    /// the card, or `None` when the page gave none (or could not be fetched).
    Preview {
        message_id: Id,
        link: String,
        preview: Option<edgechat_protocol::LinkPreview>,
        /// The hash of the card's image bytes (`files::content_hash`), so the room keeps
        /// one copy of an image however many cards show it.
        image_hash: Option<String>,
    },
    /// The account was disabled: its sockets close now.
    Revoke { user_id: Id },
    /// A call an [`Effect::CallOut`] asked for came back (or failed for good).
    CalledOut {
        hook_id: Id,
        asker: Option<Asker>,
        answered: Answered,
    },
    /// The alarm fired.
    Tick,
}

/// What the door found of an invitee: facts, from which the core decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invitee {
    /// An enabled account named `username`, whose inbox admits one more room this hour.
    Admitted { username: String },
    /// No enabled account has this id.
    Unknown,
    /// Their inbox refused: others added them to as many rooms as they may this hour;
    /// one more may be in `retry_after` ms.
    AddedTooOften { retry_after: u64 },
}

/// What the Durable Object must carry out, in order. Storage is not among them: the
/// step already wrote it, atomically, before any of these is carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// This durable event is stored (in the log and the tables); its D1 copy is due.
    Stored(RoomEvent),
    /// Something to do to the room's sockets: send, broadcast, close, authenticate.
    Socket(SocketEffect),
    /// These files were forgotten and queued for deletion (their message was deleted, or
    /// nobody attached them in time): delete their bytes and rows now.
    RemoveFiles(Vec<Id>),
    /// Fetch the preview of `link`, the first link of `message_id` (by `author`), once
    /// the step's answers are out (under the outbound policy), and hand it back as
    /// [`Command::Preview`].
    FetchPreview {
        message_id: Id,
        link: String,
        author: Id,
    },
    /// Call a program (an outgoing hook, a registered command) once the step's answers
    /// are out, and hand back what it answered as [`Command::CalledOut`].
    CallOut(Box<CallOut>),
    /// Find out whether another room has `update`'s new name (the door reads the
    /// directory), then hand back [`Command::NameChecked`].
    CheckName {
        conn: ConnId,
        update: Update,
        req_id: Option<String>,
    },
    /// Find out whether `user_id` is an enabled account that may be added to this room
    /// (the door reads the directory and asks the user's inbox, which counts the rooms
    /// they are added to), then hand back [`Command::Invite`] or answer the error.
    ResolveInvite {
        conn: ConnId,
        user_id: Id,
        req_id: Option<String>,
    },
}

/// One room: its store, and what is live now.
#[derive(Debug, Clone)]
pub struct Room<S> {
    info: RoomInfo,
    limits: Limits,
    store: Store<S>,
    /// The seq of the newest durable event (the store's, read on load).
    head: Seq,
    /// The time of the step in progress, for the events it stores.
    now: Millis,
    /// The sockets attached, with who each is (the per-user cap closes the oldest).
    sockets: Sockets,
    /// Users whose last socket closed, and when: still shown until the grace passes.
    leaving: BTreeMap<Id, Millis>,
    /// The online set last broadcast; `None` after a load, when it is unknown.
    shown_online: Option<BTreeSet<Id>>,
    /// When the last presence frame went, and when the changes since are due (presence
    /// changes close together go as one frame; see `presence_update`).
    presence_sent_at: Millis,
    presence_due: Option<Millis>,
    /// Arrivals in this presence window not yet told to the newest sockets.
    arrivals: arrivals::Arrivals,
    /// Users typing now: the name shown, and until when.
    typing: BTreeMap<Id, (String, Millis)>,
    /// Each user's rate buckets, one per [`Budget`]: per-second budgets, so losing them
    /// to hibernation costs nothing.
    buckets: BTreeMap<(Id, Budget), Bucket>,
    /// What sends check of their senders, read once per sender after a load.
    senders: senders::Senders,
    /// The room's outgoing hooks, read on the first send after a load (at most
    /// `MAX_HOOKS`); `None` until then, and after any change to the hooks.
    outgoing: Option<Vec<crate::store::Hook>>,
    /// The Worker's origin, as the door last said (`Room::note_origin`).
    origin: Option<String>,
    /// When the oldest unattached upload expires, as last read (`None`: not read since
    /// the uploads last changed). Asked after every step, it changes only with uploads.
    upload_deadline: std::cell::Cell<Option<Option<Millis>>>,
    /// When an export next needs the alarm, as last read (`None`: not read since the
    /// exports last changed).
    export_deadline: std::cell::Cell<Option<Option<Millis>>>,
    /// The same for the room's import.
    import_deadline: std::cell::Cell<Option<Option<Millis>>>,
    /// How the act being carried out came, for its audit entry.
    via: Via,
}

impl<S: Sql> Room<S> {
    fn new(info: RoomInfo, limits: Limits, mut store: Store<S>, head: Seq) -> Self {
        store.bind_room(&info.room_id);
        Self {
            info,
            limits,
            store,
            head,
            now: 0,
            sockets: Sockets::default(),
            leaving: BTreeMap::new(),
            shown_online: Some(BTreeSet::new()),
            presence_sent_at: 0,
            presence_due: None,
            arrivals: arrivals::Arrivals::default(),
            typing: BTreeMap::new(),
            buckets: BTreeMap::new(),
            senders: senders::Senders::default(),
            outgoing: None,
            origin: None,
            upload_deadline: std::cell::Cell::new(None),
            export_deadline: std::cell::Cell::new(None),
            import_deadline: std::cell::Cell::new(None),
            via: Via::default(),
        }
    }

    /// A room created by `creator` with `members` invited: the creator is its admin
    /// (in a direct room, everyone is a plain member). The store must be prepared
    /// ([`Store::prepare`]) and empty; everything is stored in one step.
    pub fn create(
        info: RoomInfo,
        limits: Limits,
        store: Store<S>,
        creator: &Identity,
        members: &[(Id, String)],
        now: Millis,
    ) -> Result<(Self, Vec<Effect>), StoreError> {
        let mut room = Self::new(info, limits, store, 0);
        room.now = now;
        let sql = room.store.sql().clone();
        let effects = sql.atomically(|| {
            room.store.save_info(&room.info)?;
            let direct = room.info.kind == edgechat_protocol::RoomKind::Direct;
            let joined = RoomEvent::UserJoined {
                room_id: room.info.room_id.clone(),
                user_id: creator.user_id.clone(),
                username: creator.username.clone(),
                handle: creator.handle.clone(),
                role: if direct { Role::Member } else { Role::Admin },
                seq: room.next_seq(),
            };
            let mut effects = room.publish(joined)?;
            for (user_id, username) in members {
                if *user_id == creator.user_id || room.store.is_member(user_id)? {
                    continue;
                }
                let invited = RoomEvent::UserInvited {
                    user_id: user_id.clone(),
                    username: username.clone(),
                    by: creator.user_id.clone(),
                    seq: room.next_seq(),
                };
                effects.extend(room.publish(invited)?);
            }
            Ok(effects)
        })?;
        Ok((room, effects))
    }

    /// The room as stored, with the sockets still attached (from their attachments);
    /// `None` for a room never created. Reads only the room's info and head: a room a
    /// year old loads as fast as a new one.
    pub fn load(
        store: Store<S>,
        limits: Limits,
        connections: Vec<(ConnId, Identity)>,
    ) -> Result<Option<Self>, StoreError> {
        let Some(info) = store.info()? else {
            return Ok(None);
        };
        let head = store.head()?;
        let mut room = Self::new(info, limits, store, head);
        room.sockets = Sockets::new(connections);
        room.shown_online = None;
        Ok(Some(room))
    }

    pub fn id(&self) -> &str {
        &self.info.room_id
    }

    pub fn info(&self) -> &RoomInfo {
        &self.info
    }

    /// The seq of the newest durable event.
    pub fn head_seq(&self) -> Seq {
        self.head
    }

    /// Whether the room serves the socket `conn` (it was admitted and has not left).
    pub fn serves(&self, conn: &str) -> bool {
        self.sockets.get(conn).is_some()
    }

    /// How many sockets the room serves, its own and its shards'.
    pub fn socket_count(&self) -> usize {
        self.sockets.len()
    }

    /// The durable events after `after`, for a shard that missed a delivery (its sockets
    /// were all sent every event through `after`); `None` when that is past the replay
    /// window, and the shard's sockets must resync.
    pub fn replay_after(&self, after: Seq) -> Result<Option<Vec<ServerMsg>>, StoreError> {
        Ok(self
            .store
            .replay_after(after, self.limits.max_replay)?
            .map(|events| events.into_iter().map(ServerMsg::from).collect()))
    }

    /// A page of the durable events after `after`, for a shard that missed deliveries
    /// (`Store::replay_page`), as they are sent.
    pub fn replay_page(&self, after: Seq) -> Result<Option<Vec<ServerMsg>>, StoreError> {
        Ok(self
            .store
            .replay_page(after, self.limits.max_replay)?
            .map(|events| events.into_iter().map(ServerMsg::from).collect()))
    }

    /// The room's store, for the write-behind and for tests.
    pub fn store(&self) -> &Store<S> {
        &self.store
    }

    /// Who to tell that the room went unread, after the events in `(after, through]`
    /// were stored: members with no socket here whose first unread message is among
    /// them (so each transition is told once, without remembering who was told).
    pub fn unread_transitions(
        &self,
        after: Seq,
        through: Seq,
    ) -> Result<Vec<(Id, Seq)>, StoreError> {
        let here = self.connected();
        Ok(self
            .store
            .unread_transitions(after, through)?
            .into_iter()
            .filter(|(user_id, _)| !here.contains(user_id))
            .collect())
    }

    /// Whether `user_id` has a socket open to the room (or just had one).
    pub fn is_here(&self, user_id: &str) -> bool {
        self.sockets.has_user(user_id) || self.leaving.contains_key(user_id)
    }

    /// When the room next needs a [`Command::Tick`], if ever.
    pub fn next_deadline(&self) -> Result<Option<Millis>, StoreError> {
        let grace = self.limits.presence_grace_ms;
        let presence_unknown = self.shown_online.is_none().then_some(0);
        let uploads = self.next_upload_expiry()?;
        let exports = self.next_export_due()?;
        let import = self.next_import_due()?;
        Ok(self
            .leaving
            .values()
            .map(|left| left + grace)
            .chain(presence_unknown)
            .chain(self.presence_due)
            .chain(self.sockets.next_expiry())
            .chain(uploads)
            .chain(exports)
            .chain(import)
            .min())
    }

    /// When the object must set its one alarm, if it must set it at all: the soonest of
    /// the room's own deadlines ([`Self::next_deadline`]) and the write-behind's, which is
    /// due `delay_ms` after `now` while anything waits for D1 (or at `retry_at`, after a
    /// failed batch). `None` when nothing is due, or when the alarm already `armed` comes
    /// first: then storage is not even asked, so a busy room reads nothing for it.
    pub fn alarm(&self, schedule: &Schedule) -> Result<Option<Millis>, StoreError> {
        let deadline = self.next_deadline()?;
        let write_behind = schedule
            .retry_at
            .unwrap_or(schedule.now + schedule.delay_ms);
        let soonest = deadline
            .into_iter()
            .chain(schedule.retry_at)
            .fold(schedule.now + schedule.delay_ms, Millis::min);
        if schedule.armed.is_some_and(|armed| armed <= soonest) {
            return Ok(None);
        }
        let pending = self.store.has_pending()?.then_some(write_behind);
        let at = deadline.into_iter().chain(pending).min();
        Ok(at.filter(|at| schedule.armed.is_none_or(|armed| armed > *at)))
    }
}

/// A deadline read from storage once and remembered in `cell` until what it depends on
/// changes (the cell is emptied then): asked after every step, it is read only after a
/// change.
fn remembered(
    cell: &std::cell::Cell<Option<Option<Millis>>>,
    read: impl FnOnce() -> Result<Option<Millis>, StoreError>,
) -> Result<Option<Millis>, StoreError> {
    if let Some(known) = cell.get() {
        return Ok(known);
    }
    let due = read()?;
    cell.set(Some(due));
    Ok(due)
}

/// What the room's alarm is set by besides the room's own deadlines: the write-behind's
/// pace, and the alarm already set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub now: Millis,
    /// `ARCHIVE_DELAY_MS`: how long the write-behind gathers events before a batch.
    pub delay_ms: u64,
    /// A failed batch is tried again no sooner than this.
    pub retry_at: Option<Millis>,
    /// The alarm time last set, if it is still to come.
    pub armed: Option<Millis>,
}
