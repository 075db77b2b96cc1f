//! The one policy for requests the Worker makes to addresses that users supply: the page
//! behind a link (previews, and the image a page names) and a browser's push endpoint.
//! Every such address, and every redirect it answers with, passes [`check`] first.
//!
//! What it cannot see: where a host name resolves. A Worker has no DNS of its own to ask,
//! and Cloudflare's network does not route a Worker's `fetch` into private networks, so
//! names are left to the platform; what a URL can say by itself (an IP literal, in any
//! of the spellings a URL parser accepts, `localhost`, credentials, an odd port) is
//! refused here.

use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// How long a whole outbound request may take, redirects and body included.
pub const TIMEOUT_MS: u64 = 3_000;
/// Redirects followed, each checked again, before giving up.
pub const MAX_REDIRECTS: usize = 3;
/// The most of a page read for its preview; the rest is never fetched.
pub const PAGE_BYTES: usize = 512 * 1024;
/// The most of a preview image read; a bigger one gets no image.
pub const IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// What the address is for, which decides the schemes it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A page or image: http or https.
    Page,
    /// A push service: https only.
    Push,
}

/// Why an address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not an absolute URL.
    Unparsable,
    /// Not http(s), or not https for a push endpoint.
    Scheme,
    /// A port other than the scheme's default.
    Port,
    /// A user name or password in the URL.
    Credentials,
    /// A loopback, private, link-local or otherwise non-public address, or a name for
    /// the machine itself (`localhost`).
    Private,
}

impl Refused {
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::Unparsable => "not an absolute URL",
            Refused::Scheme => "a scheme other than http(s)",
            Refused::Port => "a port other than the default",
            Refused::Credentials => "credentials in the URL",
            Refused::Private => "a private or local address",
        }
    }
}

/// Hosts the tests may reach despite the rules on addresses, ports and schemes (the e2e
/// harness serves pages and a push endpoint on 127.0.0.1): the `OUTBOUND_TEST_HOSTS`
/// var, comma-separated. Production leaves it empty.
#[derive(Debug, Clone, Default)]
pub struct TestHosts(Vec<String>);

impl TestHosts {
    pub fn parse(var: &str) -> Self {
        Self(
            var.split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        )
    }

    fn contains(&self, host: &str) -> bool {
        self.0.iter().any(|h| h == host)
    }
}

/// `raw` parsed, if the policy lets the Worker request it for `purpose`.
pub fn check(raw: &str, purpose: Purpose, test_hosts: &TestHosts) -> Result<Url, Refused> {
    let url = Url::parse(raw.trim()).map_err(|_| Refused::Unparsable)?;
    check_url(url, purpose, test_hosts)
}

/// `location` (a redirect's `Location`, perhaps relative) resolved against `from` and
/// checked as [`check`] does.
pub fn check_redirect(
    from: &Url,
    location: &str,
    purpose: Purpose,
    test_hosts: &TestHosts,
) -> Result<Url, Refused> {
    let url = from
        .join(location.trim())
        .map_err(|_| Refused::Unparsable)?;
    check_url(url, purpose, test_hosts)
}

fn check_url(url: Url, purpose: Purpose, test_hosts: &TestHosts) -> Result<Url, Refused> {
    let scheme_ok = match purpose {
        Purpose::Page => matches!(url.scheme(), "http" | "https"),
        Purpose::Push => url.scheme() == "https",
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refused::Credentials);
    }
    // The tests' own servers: any port, plain http, a loopback address.
    if url
        .host_str()
        .is_some_and(|host| test_hosts.contains(&host.to_ascii_lowercase()))
    {
        return if matches!(url.scheme(), "http" | "https") {
            Ok(url)
        } else {
            Err(Refused::Scheme)
        };
    }
    if !scheme_ok {
        return Err(Refused::Scheme);
    }
    let host = url.host().ok_or(Refused::Unparsable)?;
    // `Url` drops a port that is the scheme's default, so any port left is another.
    if url.port().is_some() {
        return Err(Refused::Port);
    }
    let public = match host {
        Host::Ipv4(ip) => public_v4(ip),
        Host::Ipv6(ip) => public_v6(ip),
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            !(name == "localhost"
                || name.ends_with(".localhost")
                || name.ends_with(".local")
                || name.ends_with(".internal")
                || !name.contains('.'))
        }
    };
    if public {
        Ok(url)
    } else {
        Err(Refused::Private)
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (b & 0b1100_0000) == 64)
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // An IPv4 address inside: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d, which
    // also covers :: and ::1) or NAT64 (64:ff9b::a.b.c.d) is judged as that address.
    let embedded = (s[..5] == [0; 5] && (s[5] == 0 || s[5] == 0xffff))
        || (s[..6] == [0x64, 0xff9b, 0, 0, 0, 0]);
    if embedded {
        let [.., a, b, c, d] = ip.octets();
        return public_v4(Ipv4Addr::new(a, b, c, d));
    }
    let first = s[0];
    !(ip.is_multicast()
        // Unique local, fc00::/7.
        || (first & 0xfe00) == 0xfc00
        // Link-local, fe80::/10.
        || (first & 0xffc0) == 0xfe80
        // Site-local (deprecated), fec0::/10.
        || (first & 0xffc0) == 0xfec0
        // Documentation, 2001:db8::/32.
        || (first == 0x2001 && s[1] == 0x0db8))
}
