//! Files the user is attaching to the next message: each uploads at once, shows its
//! progress, and rides along with the next send once stored. Plain Rust, tested natively.

use edgechat_protocol::Attachment;

/// One file on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    pub local_id: u32,
    pub name: String,
    pub size: u64,
    /// Bytes sent so far.
    pub sent: u64,
    /// Set once the server stored it.
    pub attachment: Option<Attachment>,
    pub error: Option<String>,
}

impl Staged {
    /// How far along, 0 to 100. Every byte sent is 99: the server has yet to answer
    /// (and an image to take its thumbnail), and sending waits until it has, so the bar
    /// is full only when the file can go.
    pub fn percent(&self) -> u8 {
        if self.attachment.is_some() {
            return 100;
        }
        match self.size {
            0 => 0,
            size => (self.sent.min(size) * 100 / size).min(99) as u8,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Staging {
    next: u32,
    pub files: Vec<Staged>,
}

impl Staging {
    pub fn add(&mut self, name: &str, size: u64) -> u32 {
        self.next += 1;
        self.files.push(Staged {
            local_id: self.next,
            name: name.to_owned(),
            size,
            sent: 0,
            attachment: None,
            error: None,
        });
        self.next
    }

    fn get(&mut self, local_id: u32) -> Option<&mut Staged> {
        self.files.iter_mut().find(|f| f.local_id == local_id)
    }

    pub fn progress(&mut self, local_id: u32, sent: u64) {
        if let Some(file) = self.get(local_id) {
            file.sent = file.sent.max(sent);
        }
    }

    pub fn stored(&mut self, local_id: u32, attachment: Attachment) {
        if let Some(file) = self.get(local_id) {
            file.sent = file.size;
            file.attachment = Some(attachment);
        }
    }

    pub fn failed(&mut self, local_id: u32, error: String) {
        if let Some(file) = self.get(local_id) {
            file.error = Some(error);
        }
    }

    pub fn remove(&mut self, local_id: u32) {
        self.files.retain(|f| f.local_id != local_id);
    }

    /// Whether a file is still uploading: sending waits for it.
    pub fn busy(&self) -> bool {
        self.files
            .iter()
            .any(|f| f.attachment.is_none() && f.error.is_none())
    }

    /// The stored files' ids for the message being sent; they leave the tray. Failed
    /// ones stay, so the user sees what did not make it.
    pub fn take_ready(&mut self) -> Vec<String> {
        let ready = self
            .files
            .iter()
            .filter_map(|f| f.attachment.as_ref().map(|a| a.file_id.clone()))
            .collect();
        self.files.retain(|f| f.attachment.is_none());
        ready
    }
}

/// A size as people read it: "812 B", "14.2 KB", "3.1 MB".
pub fn human_size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} KB", bytes as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.1} GB", bytes as f64 / 1e9),
    }
}

/// `width` × `height` scaled down (never up) to fit `max` × `max`, at least 1 × 1.
pub fn fit(width: u32, height: u32, max: u32) -> (u32, u32) {
    if width <= max && height <= max {
        return (width.max(1), height.max(1));
    }
    let scale = f64::from(max) / f64::from(width.max(height));
    (
        ((f64::from(width) * scale).round() as u32).max(1),
        ((f64::from(height) * scale).round() as u32).max(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attachment(id: &str) -> Attachment {
        Attachment {
            file_id: id.into(),
            name: "a.png".into(),
            content_type: "image/png".into(),
            size: 100,
            width: None,
            height: None,
            thumbnail_id: None,
        }
    }

    #[test]
    fn a_file_goes_from_progress_to_ready_and_leaves_with_the_message() {
        let mut staging = Staging::default();
        let a = staging.add("a.png", 200);
        let b = staging.add("b.pdf", 100);
        staging.progress(a, 50);
        assert_eq!(staging.files[0].percent(), 25);
        assert!(staging.busy());
        staging.stored(a, attachment("f-a"));
        staging.failed(b, "too large".into());
        assert!(!staging.busy(), "nothing is still uploading");
        assert_eq!(staging.take_ready(), ["f-a"]);
        assert_eq!(staging.files.len(), 1, "the failed file stays to be seen");
        staging.remove(b);
        assert!(staging.files.is_empty());
    }

    #[test]
    fn progress_never_goes_backwards_or_past_the_end() {
        let mut staging = Staging::default();
        let a = staging.add("a", 100);
        staging.progress(a, 80);
        staging.progress(a, 40);
        assert_eq!(staging.files[0].percent(), 80);
        staging.progress(a, 500);
        assert_eq!(staging.files[0].percent(), 99, "sent, not yet stored");
        staging.stored(a, attachment("f-a"));
        assert_eq!(staging.files[0].percent(), 100);
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(812), "812 B");
        assert_eq!(human_size(14_200), "14.2 KB");
        assert_eq!(human_size(3_100_000), "3.1 MB");
    }

    #[test]
    fn images_are_scaled_down_to_fit_keeping_their_shape() {
        assert_eq!(fit(640, 480, 320), (320, 240));
        assert_eq!(fit(480, 640, 320), (240, 320));
        assert_eq!(fit(100, 50, 320), (100, 50));
        assert_eq!(fit(10_000, 1, 320), (320, 1));
    }
}
