//! The rules of a room's shard objects (docs/architecture.md, *Rooms bigger than one
//! object*): where a new socket goes, and how a shard keeps the room's one order across
//! deliveries that can be lost or come late. The objects only carry them out.

use std::collections::BTreeMap;

use edgechat_protocol::{Millis, Seq};

/// The first wire version a shard serves: a shard sends only `batch` frames, and every
/// socket it holds is sent each frame as it is (7 brought a field of messages, `bot`,
/// which a socket of version 6 is sent otherwise).
pub const SINCE_VERSION: u32 = 7;

/// How long a shard waits for a delivery that has not come before it pulls what it
/// covers. Deliveries travel as separate calls, and a socket's first one as the answer to
/// its connect, so under load one overtakes another; the one behind is almost always on
/// its way, and pulling at once turned a join storm into a storm of pulls.
pub const GAP_PATIENCE_MS: Millis = 500;

/// How long a shard's delivery loop may go without a step before a new delivery starts
/// another in its place. The loop runs inside whichever request brought it a delivery,
/// and a request whose caller went away may never be resumed; a loop that is only slow
/// (a pull waiting on a busy room) finds it was replaced when it wakes, and stops.
pub const LOOP_STALLED_MS: Millis = 30_000;

/// Whether a delivery that arrives at `now` starts the delivery loop: none is running
/// (`last_step` is `None`), or the one running has not stepped for [`LOOP_STALLED_MS`].
pub fn starts_loop(last_step: Option<Millis>, now: Millis) -> bool {
    last_step.is_none_or(|at| now.saturating_sub(at) >= LOOP_STALLED_MS)
}

/// Where a room's sockets on shards are: how many each shard holds and in which of its
/// lives, and how many were sent to each and have not arrived. Rebuilt from the room's
/// `shard_sockets` on load, then kept as sockets come and go.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Placement {
    shards: BTreeMap<u32, (usize, String)>,
    on_the_way: BTreeMap<u32, usize>,
}

impl Placement {
    /// The shard for a new socket of wire `version`, when the room already serves
    /// `served` sockets: none while the room holds fewer than `after` of its own, or for
    /// a version before [`SINCE_VERSION`]; otherwise the lowest-numbered shard holding
    /// fewer than `per_shard`, counting those on their way there.
    pub fn place(
        &mut self,
        served: usize,
        version: u32,
        after: usize,
        per_shard: usize,
    ) -> Option<u32> {
        if version < SINCE_VERSION || served.saturating_sub(self.remote()) < after {
            return None;
        }
        let per_shard = per_shard.max(1);
        let shard = (0..).find(|shard| self.held(*shard) < per_shard)?;
        *self.on_the_way.entry(shard).or_default() += 1;
        Some(shard)
    }

    /// A socket arrived on `shard`, in the life `epoch` (the shard's latest).
    pub fn arrived(&mut self, shard: u32, epoch: &str) {
        if let Some(waiting) = self.on_the_way.get_mut(&shard) {
            *waiting = waiting.saturating_sub(1);
        }
        self.held_now(shard, epoch);
    }

    /// A socket the room knew on `shard` (from storage, after a wake).
    pub fn held_now(&mut self, shard: u32, epoch: &str) {
        let entry = self.shards.entry(shard).or_insert((0, String::new()));
        entry.0 += 1;
        epoch.clone_into(&mut entry.1);
    }

    /// A socket on `shard` is gone; `true` when it was the shard's last, so the shards
    /// delivered to changed.
    pub fn left(&mut self, shard: u32) -> bool {
        match self.shards.get_mut(&shard) {
            Some(entry) if entry.0 > 0 => {
                entry.0 -= 1;
                entry.0 == 0
            }
            _ => false,
        }
    }

    /// The shards holding sockets, each with its life: those the room delivers to.
    pub fn live(&self) -> Vec<(u32, String)> {
        self.shards
            .iter()
            .filter(|(_, (count, _))| *count > 0)
            .map(|(shard, (_, epoch))| (*shard, epoch.clone()))
            .collect()
    }

    fn remote(&self) -> usize {
        self.shards.values().map(|(count, _)| count).sum()
    }

    fn held(&self, shard: u32) -> usize {
        self.shards.get(&shard).map_or(0, |(count, _)| *count)
            + self.on_the_way.get(&shard).copied().unwrap_or(0)
    }
}

/// The shard a socket id names (`s{shard}.…`); `None` for the room's own.
pub fn shard_of(conn: &str) -> Option<u32> {
    conn.strip_prefix('s')?.split('.').next()?.parse().ok()
}

/// What a shard does with a delivery covering the durable seqs after `from` through `to`,
/// when its sockets have every one through `last` (`None`: no delivery yet in this life,
/// so its sockets joined with everything before `from`), after waiting `waited` for the
/// deliveries before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Deliver, without the durable events at or before `floor` (they came already).
    Deliver { floor: Seq },
    /// A delivery before this one has not come: wait for it a little longer.
    Wait,
    /// A delivery before this one was lost: pull the durable events after `after` from
    /// the room, send them first, then deliver without what they covered.
    Pull { after: Seq },
}

pub fn next(last: Option<Seq>, from: Seq, waited: Millis) -> Next {
    match last {
        Some(last) if from > last && waited < GAP_PATIENCE_MS => Next::Wait,
        Some(last) if from > last => Next::Pull { after: last },
        Some(last) => Next::Deliver { floor: last },
        None => Next::Deliver { floor: from },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_room_keeps_its_own_sockets_first_then_fills_shards_in_order() {
        let mut placement = Placement::default();
        assert_eq!(
            placement.place(1, SINCE_VERSION, 2, 2),
            None,
            "the room has room"
        );
        assert_eq!(
            placement.place(2, SINCE_VERSION - 1, 2, 2),
            None,
            "an older version stays"
        );
        // Two sent to shard 0 fill it before either arrives; the next goes to shard 1.
        assert_eq!(placement.place(2, SINCE_VERSION, 2, 2), Some(0));
        assert_eq!(placement.place(2, SINCE_VERSION, 2, 2), Some(0));
        assert_eq!(placement.place(2, SINCE_VERSION, 2, 2), Some(1));
        placement.arrived(0, "a");
        placement.arrived(0, "a");
        placement.arrived(1, "b");
        assert_eq!(placement.live(), [(0, "a".to_owned()), (1, "b".to_owned())]);
        // Served counts the shards' sockets too: the room's own are still two.
        assert_eq!(placement.place(5, SINCE_VERSION, 2, 2), Some(1));
        placement.arrived(1, "b");
        assert!(!placement.left(0), "shard 0 still holds one");
        assert_eq!(
            placement.place(6, SINCE_VERSION, 2, 2),
            Some(0),
            "a place freed on shard 0"
        );
        placement.arrived(0, "a");
        assert!(!placement.left(1));
        assert!(placement.left(1), "shard 1's last");
        assert!(!placement.left(1), "nothing left to leave");
        assert_eq!(
            placement.live(),
            [(0, "a".to_owned())],
            "an empty shard is not delivered to"
        );
    }

    #[test]
    fn a_shards_sockets_are_named_by_it() {
        assert_eq!(shard_of("s3.18f-0a"), Some(3));
        assert_eq!(
            shard_of("18f3a-0a"),
            None,
            "the room's own ids are a hex time"
        );
    }

    #[test]
    fn a_delivery_starts_the_loop_when_none_runs_or_the_one_running_stalled() {
        assert!(starts_loop(None, 5), "none runs");
        assert!(
            !starts_loop(Some(1_000), 1_000 + LOOP_STALLED_MS - 1),
            "it steps"
        );
        assert!(
            starts_loop(Some(1_000), 1_000 + LOOP_STALLED_MS),
            "it stalled"
        );
    }

    #[test]
    fn a_gap_is_waited_for_then_pulled_and_a_late_delivery_keeps_only_what_is_new() {
        assert_eq!(
            next(None, 7, 0),
            Next::Deliver { floor: 7 },
            "a first delivery"
        );
        assert_eq!(next(Some(7), 7, 0), Next::Deliver { floor: 7 }, "in order");
        assert_eq!(
            next(Some(7), 9, 0),
            Next::Wait,
            "the one before is on its way"
        );
        assert_eq!(
            next(Some(7), 9, GAP_PATIENCE_MS - 1),
            Next::Wait,
            "still within patience"
        );
        assert_eq!(
            next(Some(7), 9, GAP_PATIENCE_MS),
            Next::Pull { after: 7 },
            "it was lost"
        );
        assert_eq!(
            next(Some(12), 9, 0),
            Next::Deliver { floor: 12 },
            "late, after a pull"
        );
    }
}
