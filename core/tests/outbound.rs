//! The outbound policy's table: what the Worker may fetch for a preview or post to as a
//! push endpoint, and why the rest is refused.

use edgechat_core::outbound::{Purpose, Refused, TestHosts, check, check_redirect};

#[test]
fn the_table_of_allowed_and_refused_addresses() {
    use Purpose::{Page, Push};
    use Refused::*;
    let none = TestHosts::default();
    let table: &[(&str, Purpose, Result<&str, Refused>)] = &[
        (
            "https://example.com/a?b=c",
            Page,
            Ok("https://example.com/a?b=c"),
        ),
        ("http://example.com", Page, Ok("http://example.com/")),
        (
            "HTTPS://Example.COM:443/x",
            Page,
            Ok("https://example.com/x"),
        ),
        ("http://example.com:80/", Page, Ok("http://example.com/")),
        (
            "https://fcm.googleapis.com/fcm/send/abc",
            Push,
            Ok("https://fcm.googleapis.com/fcm/send/abc"),
        ),
        (
            "https://[2606:4700::1111]/",
            Page,
            Ok("https://[2606:4700::1111]/"),
        ),
        ("https://1.1.1.1/", Page, Ok("https://1.1.1.1/")),
        // Schemes.
        ("http://push.example.com/x", Push, Err(Scheme)),
        ("ftp://example.com/", Page, Err(Scheme)),
        ("file:///etc/passwd", Page, Err(Scheme)),
        ("javascript:alert(1)", Page, Err(Scheme)),
        ("data:text/html,hi", Page, Err(Scheme)),
        ("gopher://example.com/", Page, Err(Scheme)),
        ("example.com/page", Page, Err(Unparsable)),
        // Ports and credentials.
        ("http://example.com:8080/", Page, Err(Port)),
        ("https://example.com:80/", Page, Err(Port)),
        ("https://user:pw@example.com/", Page, Err(Credentials)),
        ("https://user@example.com/", Page, Err(Credentials)),
        // Addresses that are not public, in the spellings a URL parser accepts.
        ("http://127.0.0.1/", Page, Err(Private)),
        ("http://127.1/", Page, Err(Private)),
        ("http://2130706433/", Page, Err(Private)),
        ("http://0x7f000001/", Page, Err(Private)),
        ("http://0177.0.0.1/", Page, Err(Private)),
        ("http://0.0.0.0/", Page, Err(Private)),
        ("http://10.1.2.3/", Page, Err(Private)),
        ("http://172.16.0.1/", Page, Err(Private)),
        ("http://172.31.255.255/", Page, Err(Private)),
        ("http://192.168.1.1/", Page, Err(Private)),
        (
            "http://169.254.169.254/latest/meta-data/",
            Page,
            Err(Private),
        ),
        ("http://100.64.0.1/", Page, Err(Private)),
        ("http://255.255.255.255/", Page, Err(Private)),
        ("http://224.0.0.1/", Page, Err(Private)),
        ("http://[::1]/", Page, Err(Private)),
        ("http://[::]/", Page, Err(Private)),
        ("http://[::ffff:127.0.0.1]/", Page, Err(Private)),
        ("http://[::ffff:10.0.0.1]/", Page, Err(Private)),
        ("http://[64:ff9b::a9fe:a9fe]/", Page, Err(Private)),
        ("http://[fd00::1]/", Page, Err(Private)),
        ("http://[fe80::1]/", Page, Err(Private)),
        ("http://localhost/", Page, Err(Private)),
        ("http://LOCALHOST./", Page, Err(Private)),
        ("http://api.localhost/", Page, Err(Private)),
        ("http://printer.local/", Page, Err(Private)),
        ("http://metadata.google.internal/", Page, Err(Private)),
        ("http://intranet/", Page, Err(Private)),
        ("https://127.0.0.1/push", Push, Err(Private)),
    ];
    for (raw, purpose, want) in table {
        let got = check(raw, *purpose, &none).map(|u| u.to_string());
        assert_eq!(got, want.map(str::to_owned), "{raw} for {purpose:?}");
    }
}

#[test]
fn test_hosts_may_use_any_port_and_plain_http_but_not_credentials() {
    let hosts = TestHosts::parse(" 127.0.0.1 ,");
    assert!(check("http://127.0.0.1:43123/page", Purpose::Page, &hosts).is_ok());
    assert!(check("http://127.0.0.1:43123/push", Purpose::Push, &hosts).is_ok());
    assert_eq!(
        check("http://u:p@127.0.0.1:1/", Purpose::Page, &hosts).map(drop),
        Err(Refused::Credentials)
    );
    assert_eq!(
        check("http://127.0.0.2:1/", Purpose::Page, &hosts).map(drop),
        Err(Refused::Port)
    );
    assert_eq!(
        check("ftp://127.0.0.1/", Purpose::Page, &hosts).map(drop),
        Err(Refused::Scheme)
    );
}

#[test]
fn every_redirect_is_checked_against_the_same_rules() {
    let none = TestHosts::default();
    let from = check("https://example.com/a/b", Purpose::Page, &none).unwrap();
    assert_eq!(
        check_redirect(&from, "../c", Purpose::Page, &none).map(|u| u.to_string()),
        Ok("https://example.com/c".to_owned())
    );
    assert_eq!(
        check_redirect(&from, "http://169.254.169.254/", Purpose::Page, &none).map(drop),
        Err(Refused::Private)
    );
    assert_eq!(
        check_redirect(&from, "//localhost/x", Purpose::Page, &none).map(drop),
        Err(Refused::Private)
    );
    assert_eq!(
        check_redirect(&from, "file:///etc/passwd", Purpose::Page, &none).map(drop),
        Err(Refused::Scheme)
    );
}
