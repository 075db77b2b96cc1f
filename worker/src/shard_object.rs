//! The `Shard` object: one of a room's fan-out objects (docs/architecture.md, *Rooms bigger
//! than one object*). It holds sockets the room sent here, relays their frames to the room
//! and delivers what the room sends them, in the room's one order: each delivery covers
//! the durable seqs after the last one, so a delivery that was lost or came late is seen
//! as a gap, and the shard pulls what it missed from the room before it delivers on. It
//! decides nothing of the room's: who may join, what a frame means, who is online and who
//! is closed are the room's.
#![warn(clippy::too_many_lines)]

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    time::Duration,
};

use edgechat_core::{
    Identity,
    shards::{self, Next},
    store::{Sql, Value},
};
use edgechat_protocol::{ErrorCode, Millis, PING_FRAME, PONG_FRAME, Seq, ServerMsg};
use serde::Deserialize;
use worker::{
    Date, Delay, DurableObject, Env, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, durable_object, worker_sys::WebSocketRequestResponsePair,
};

use crate::{
    http,
    outbox::Batching,
    room_object::ObjectSql,
    sockets,
    stubs::{RoomCall, RoomStub, ShardCall},
};

/// Where the shard stands in the room's order, kept in its own SQLite so it outlives
/// hibernation: the last durable seq its sockets were sent (or covered), and its life.
const SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS stream (key TEXT PRIMARY KEY, value TEXT NOT NULL)";
const GET: &str = "SELECT value FROM stream WHERE key = ?";
const SET: &str = "INSERT INTO stream (key, value) VALUES (?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value";
const FORGET: &str = "DELETE FROM stream WHERE key = 'last'";

/// What the room has for this shard's sockets: a `ShardCall::Deliver`.
struct Delivery {
    from: Seq,
    to: Seq,
    entries: String,
}

/// The room's answer to a pull: the durable events after the pull's `after` through
/// `through`, a page of them.
#[derive(Deserialize)]
struct Pulled {
    through: Seq,
    frames: Vec<String>,
}

/// How often a shard looks again for a delivery it waits for (`shards::GAP_PATIENCE_MS`).
const GAP_LOOK_MS: u64 = 20;

/// The delivery loop under way, if any: its number (a new one replaces a stalled one,
/// `shards::starts_loop`) and when it last stepped.
#[derive(Clone, Copy)]
struct Looping {
    number: u64,
    stepped: Millis,
}

#[durable_object]
pub struct Shard {
    state: State,
    env: Env,
    batching: Batching,
    /// The room, and this shard's number: from the first call that names them.
    place: RefCell<Option<(String, u32)>>,
    /// One stub for the room, so what this shard relays reaches it in order.
    room: RefCell<Option<Rc<RoomStub>>>,
    /// Deliveries waiting their turn, and the loop delivering them, if one runs (a pull
    /// awaits the room, and others arrive meanwhile).
    waiting: RefCell<Vec<Delivery>>,
    looping: Cell<Option<Looping>>,
    loops: Cell<u64>,
}

impl DurableObject for Shard {
    fn new(state: State, env: Env) -> Self {
        crate::log::init(&env);
        match WebSocketRequestResponsePair::new(PING_FRAME, PONG_FRAME) {
            Ok(pair) => state.set_websocket_auto_response(&pair),
            Err(err) => crate::log::error("no-auto-response")
                .err(format!("{err:?}"))
                .emit(),
        }
        let shard = Self {
            batching: Batching::from_env(&env),
            place: RefCell::new(None),
            room: RefCell::new(None),
            waiting: RefCell::new(Vec::new()),
            looping: Cell::new(None),
            loops: Cell::new(0),
            state,
            env,
        };
        if let Err(err) = shard.sql().run(SCHEMA, &[]) {
            crate::log::error("shard-no-table").err(err).emit();
        }
        if shard.state.get_websockets().is_empty() {
            // A life begins: nothing of the last one (a restart's) carries over.
            shard.begin_life();
        }
        shard
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        crate::log::scoped(crate::stubs::log_fields(&req), self.answer(req)).await
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let Some(attached) = sockets::attachment(&ws) else {
            ws.close(Some(1011), Some("lost its identity"))?;
            return Ok(());
        };
        if attached.closed {
            return Ok(());
        }
        let raw = match message {
            WebSocketIncomingMessage::String(raw) => Some(raw),
            WebSocketIncomingMessage::Binary(_) => None,
        };
        let relayed = match self.room_stub(&attached.room) {
            Some(room) => room.shard_frame(&attached.conn, raw).await,
            None => Err(worker::Error::RustError("no room".into())),
        };
        match relayed.map(|answer| answer.status_code()) {
            Ok(204) => {}
            Ok(404) => sockets::close(&ws, 1012, "reconnect: the room does not know this socket"),
            _ => sockets::send(&ws, &unreachable()),
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
        self.gone(&ws).await;
        sockets::closed(&ws);
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, error: worker::Error) -> Result<()> {
        sockets::log_error(&ws, &error);
        self.gone(&ws).await;
        sockets::failed(&ws);
        Ok(())
    }
}

impl Shard {
    /// A call from the Worker or another object, answered.
    async fn answer(&self, mut req: Request) -> Result<Response> {
        let Some(call) = ShardCall::read(&mut req).await? else {
            return http::error(ErrorCode::NotFound, "shards are reached through their room");
        };
        match call {
            ShardCall::Connect {
                room,
                shard,
                who,
                since,
                protocol,
            } => {
                self.placed(&room, shard);
                self.open_socket(&room, shard, who, since, protocol).await
            }
            ShardCall::Deliver {
                room,
                shard,
                from,
                to,
                entries,
            } => {
                if self.state.get_websockets().is_empty() {
                    // Nobody here: the room's sockets of this shard's last life are gone.
                    return Ok(Response::empty()?.with_status(410));
                }
                self.placed(&room, shard);
                self.deliver(Delivery {
                    from,
                    to,
                    entries: entries.get().to_owned(),
                })
                .await;
                Ok(Response::empty()?.with_status(204))
            }
            #[cfg(feature = "bench")]
            ShardCall::Restart => self.restart(),
        }
    }
    fn sql(&self) -> ObjectSql {
        ObjectSql::new(&self.state)
    }

    fn stream(&self, key: &'static str) -> Option<String> {
        let rows = self.sql().run(GET, &[Value::from(key)]).ok()?;
        rows.first()?.text(0).ok().map(str::to_owned)
    }

    fn set_stream(&self, key: &'static str, value: &str) {
        if let Err(err) = self.sql().run(SET, &[key.into(), value.into()]) {
            crate::log::error("shard-unplaced").err(err).emit();
        }
    }

    /// The last durable seq this shard's sockets have; `None` before its first delivery.
    fn last(&self) -> Option<Seq> {
        self.stream("last")?.parse().ok()
    }

    fn epoch(&self) -> String {
        self.stream("epoch").unwrap_or_default()
    }

    /// A new life: a new epoch, and no place in the room's order yet.
    fn begin_life(&self) {
        let random = (worker::js_sys::Math::random() * f64::from(u32::MAX)) as u32;
        let epoch = format!("{:x}-{random:08x}", Date::now().as_millis());
        self.set_stream("epoch", &epoch);
        let _ = self.sql().run(FORGET, &[]);
    }

    fn placed(&self, room: &str, shard: u32) {
        if self.place.borrow().is_none() {
            self.place.replace(Some((room.to_owned(), shard)));
        }
    }

    fn room_stub(&self, room: &str) -> Option<Rc<RoomStub>> {
        if self.room.borrow().is_none() {
            let stub = RoomStub::new(&self.env, room).ok()?;
            self.room.replace(Some(Rc::new(stub)));
        }
        self.room.borrow().clone()
    }

    /// A socket the room sent here: accepted, then joined through the room, whose answer
    /// is this socket's first delivery.
    async fn open_socket(
        &self,
        room: &str,
        shard: u32,
        who: Identity,
        since: Option<Seq>,
        protocol: Option<String>,
    ) -> Result<Response> {
        let now: Millis = Date::now().as_millis();
        if self.state.get_websockets().is_empty() {
            // Nobody here is owed anything from before: the order starts at this socket.
            let _ = self.sql().run(FORGET, &[]);
        }
        let conn = format!("s{shard}.{}", sockets::new_conn_id(now));
        let (pair, conn) =
            sockets::accept_as(&self.state, conn, room, who.clone(), protocol.as_deref())?;
        Batching::joining(&self.state, &conn);
        let call = RoomCall::ShardConnect {
            conn,
            who,
            since,
            shard,
            epoch: self.epoch(),
        };
        let answer = match self.room_stub(room) {
            Some(stub) => stub.shard_connect(&call).await,
            None => Err(worker::Error::RustError("no room".into())),
        };
        let delivery = match answer {
            Ok(mut answer) if answer.status_code() == 200 => answer.text().await.ok(),
            _ => None,
        };
        let delivery = delivery.and_then(|body| match serde_json::from_str(&body) {
            Ok(ShardCall::Deliver {
                from, to, entries, ..
            }) => Some(Delivery {
                from,
                to,
                entries: entries.get().to_owned(),
            }),
            _ => None,
        });
        match delivery {
            Some(delivery) => self.deliver(delivery).await,
            None => {
                sockets::send(&pair.server, &unreachable());
                sockets::close(&pair.server, 1011, "the room could not be reached");
            }
        }
        sockets::answer(pair.client, protocol.as_deref())
    }

    /// Delivers in the room's order: one delivery at a time, the one that starts
    /// earliest first; one that leaves a gap waits a little for the one before it.
    async fn deliver(&self, delivery: Delivery) {
        self.waiting.borrow_mut().push(delivery);
        let now = Date::now().as_millis();
        if !shards::starts_loop(self.looping.get().map(|l| l.stepped), now) {
            return;
        }
        let number = self.loops.get() + 1;
        self.loops.set(number);
        self.looping.set(Some(Looping {
            number,
            stepped: now,
        }));
        let mut waited: Millis = 0;
        // Steps, unless a newer loop replaced this one while it waited.
        let step = || match self.looping.get() {
            Some(l) if l.number != number => false,
            _ => {
                let stepped = Date::now().as_millis();
                self.looping.set(Some(Looping { number, stepped }));
                true
            }
        };
        while step() {
            let next = {
                let mut waiting = self.waiting.borrow_mut();
                let first = (0..waiting.len()).min_by_key(|i| waiting[*i].from);
                first.map(|i| waiting.remove(i))
            };
            let Some(delivery) = next else {
                self.looping.set(None);
                break;
            };
            let floor = match shards::next(self.last(), delivery.from, waited) {
                Next::Wait => {
                    self.waiting.borrow_mut().push(delivery);
                    Delay::from(Duration::from_millis(GAP_LOOK_MS)).await;
                    waited += GAP_LOOK_MS;
                    continue;
                }
                Next::Deliver { floor } => Some((floor, Vec::new())),
                Next::Pull { after } => self.pull(after, delivery.from).await,
            };
            if self.looping.get().is_some_and(|l| l.number != number) {
                // Replaced while it pulled: the loop now running pulls again.
                break;
            }
            waited = 0;
            match floor {
                Some((floor, pulled)) => self.deliver_one(&delivery, floor, &pulled),
                None => self.lose_place(),
            }
        }
    }

    /// One delivery, after what its sockets missed (`pulled`), without the durable events
    /// at or before `floor`.
    fn deliver_one(&self, delivery: &Delivery, floor: Seq, pulled: &[String]) {
        let closes = self
            .batching
            .apply(&self.state, pulled, &delivery.entries, floor);
        for (conn, code, reason) in closes {
            for ws in self.state.get_websockets_with_tag(&conn) {
                sockets::close(&ws, code, &reason);
            }
        }
        self.set_stream("last", &floor.max(delivery.to).to_string());
    }

    /// Its sockets cannot be told in order: they reconnect and resume.
    fn lose_place(&self) {
        for ws in self.state.get_websockets() {
            sockets::close(&ws, 1012, "the room could not be reached; reconnect");
        }
        self.waiting.borrow_mut().clear();
        let _ = self.sql().run(FORGET, &[]);
    }

    /// What the sockets missed after `after`, from the room a page at a time, up to
    /// `from` at least (where the delivery at hand starts); with the seq it reaches.
    async fn pull(&self, after: Seq, from: Seq) -> Option<(Seq, Vec<String>)> {
        let room = self.place.borrow().as_ref().map(|(room, _)| room.clone())?;
        let stub = self.room_stub(&room)?;
        let (mut through, mut frames) = (after, Vec::new());
        while through < from {
            let mut answer = stub.shard_pull(through).await.ok()?;
            if answer.status_code() != 200 {
                return None;
            }
            let page: Pulled = answer.json().await.ok()?;
            if page.frames.is_empty() {
                // The room has nothing past `through`: the delivery covers the rest.
                break;
            }
            through = page.through;
            frames.extend(page.frames);
        }
        Some((through, frames))
    }

    /// A socket closed: the room is told, unless it belonged to a life that ended.
    async fn gone(&self, ws: &WebSocket) {
        let Some(attached) = sockets::attachment(ws) else {
            return;
        };
        if attached.room.is_empty() {
            return;
        }
        if let Some(room) = self.room_stub(&attached.room) {
            let _ = room.shard_gone(&attached.conn).await;
        }
    }

    /// The bench build's stand-in for a restart: every socket drops without the room
    /// being told (a dead process tells nobody), and a new life begins.
    #[cfg(feature = "bench")]
    fn restart(&self) -> Result<Response> {
        for ws in self.state.get_websockets() {
            if let Some(mut attached) = sockets::attachment(&ws) {
                attached.room.clear();
                attached.closed = true;
                let _ = ws.serialize_attachment(&attached);
            }
            let _ = ws.close(Some(1012), Some("restarting"));
        }
        self.waiting.borrow_mut().clear();
        self.begin_life();
        Ok(Response::empty()?.with_status(204))
    }
}

fn unreachable() -> ServerMsg {
    ServerMsg::error(
        ErrorCode::Unavailable,
        "the room could not be reached; try again",
        None,
    )
}
