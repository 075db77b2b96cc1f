//! The secrets a test server runs with (`JWT_SECRET`, `PASSWORD_PEPPER`, the VAPID key),
//! kept in its state directory.

use std::{collections::BTreeMap, path::Path};

/// The secrets a server runs with: made at random for a new state directory and kept in
/// it, so a restart on the same state keeps its sessions, passwords and push key valid.
#[derive(Debug, Clone)]
pub(crate) struct Secrets {
    pub(crate) jwt: String,
    pub(crate) pepper: String,
    /// The VAPID key (a P-256 JWK), as `cargo xtask dev` makes it.
    pub(crate) vapid: String,
}

impl Secrets {
    pub(crate) fn in_dir(dir: &Path) -> Self {
        let path = dir.join("test-secrets");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut lines = text.lines().map(str::to_owned);
        let secrets = match (lines.next(), lines.next(), lines.next()) {
            (Some(jwt), Some(pepper), Some(vapid)) => return Self { jwt, pepper, vapid },
            // A state kept from before the push key (a fixture): its passwords and
            // sessions stay valid; the push key is added.
            (Some(jwt), Some(pepper), None) => Self {
                jwt,
                pepper,
                vapid: crate::push::new_vapid_jwk(),
            },
            _ => Self {
                jwt: random_hex(32),
                pepper: random_hex(16),
                vapid: crate::push::new_vapid_jwk(),
            },
        };
        std::fs::write(
            &path,
            format!("{}\n{}\n{}\n", secrets.jwt, secrets.pepper, secrets.vapid),
        )
        .expect("secrets file");
        secrets
    }

    pub(crate) fn vars(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("JWT_SECRET".to_owned(), self.jwt.clone()),
            ("PASSWORD_PEPPER".to_owned(), self.pepper.clone()),
            ("VAPID_PRIVATE_JWK".to_owned(), self.vapid.clone()),
        ])
    }
}

/// `bytes` random bytes as hex, from the kernel.
pub fn random_hex(bytes: usize) -> String {
    use std::io::Read;
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .expect("/dev/urandom");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
