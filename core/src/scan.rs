//! What lets a parser of message text stay linear in its input: where the next marker is,
//! from any position, answered at once instead of by scanning ahead from each opening
//! bracket (a line of 4,000 `[` asked that 4,000 times), and a count of the work done, so
//! tests can hold a parser to linear time by counting its steps rather than timing it.
//! The server's link finder (`preview::first_link`) and the web client's markdown share it.

/// For every position of a line, where the next occurrence of one marker starts.
#[derive(Debug, Clone)]
pub struct Next {
    at: Vec<usize>,
}

impl Next {
    /// The next start of `marker` (one or two characters) at or after each position of
    /// `chars`; `chars.len()` where there is none. One pass from the end.
    pub fn of(chars: &[char], marker: &str, steps: &mut Steps) -> Self {
        let marker: Vec<char> = marker.chars().collect();
        Self::matching(chars, steps, |rest| rest.starts_with(&marker))
    }

    /// The next position at or after each position whose remaining characters `starts`
    /// accepts (it must look at a bounded number of them).
    pub fn matching(chars: &[char], steps: &mut Steps, starts: impl Fn(&[char]) -> bool) -> Self {
        let mut at = vec![chars.len(); chars.len() + 1];
        for i in (0..chars.len()).rev() {
            at[i] = if starts(&chars[i..]) { i } else { at[i + 1] };
        }
        steps.add(chars.len());
        Self { at }
    }

    /// The first occurrence at or after `from`, if any.
    pub fn from(&self, from: usize) -> Option<usize> {
        let end = self.at.len() - 1;
        self.at.get(from).copied().filter(|&found| found < end)
    }
}

/// The work a scan did: every character a pass or a copy touches, and every lookup.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Steps(pub u64);

impl Steps {
    pub fn add(&mut self, n: usize) {
        self.0 += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_finds_each_marker_at_or_after_a_position() {
        let chars: Vec<char> = "a](b](".chars().collect();
        let next = Next::of(&chars, "](", &mut Steps::default());
        assert_eq!(next.from(0), Some(1));
        assert_eq!(next.from(2), Some(4));
        assert_eq!(next.from(5), None);
        assert_eq!(next.from(6), None);
        assert_eq!(next.from(60), None);
    }
}
