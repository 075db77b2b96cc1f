//! What an upload is, what it is called, and which bytes a download asks for.

use edgechat_core::files::{
    ByteRange, Family, RangeError, clean_name, content_disposition, parse_range, sniff,
};

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 6, 0, 0, 0]);
    bytes
}

#[test]
fn images_are_known_by_their_bytes_with_their_size() {
    let found = sniff(&png(640, 480), true).expect("a PNG");
    assert_eq!(found.content_type, "image/png");
    assert_eq!(found.family, Family::Image);
    assert_eq!((found.width, found.height), (Some(640), Some(480)));

    let gif = b"GIF89a\x20\x03\x58\x02rest";
    let found = sniff(gif, true).expect("a GIF");
    assert_eq!((found.width, found.height), (Some(800), Some(600)));

    // SOI, an APP0 segment, then a baseline frame header: 300 × 200.
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
    jpeg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0xC8, 0x01, 0x2C, 0x03]);
    let found = sniff(&jpeg, false).expect("a JPEG");
    assert_eq!(found.content_type, "image/jpeg");
    assert_eq!((found.width, found.height), (Some(300), Some(200)));

    let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
    webp.extend([0x3F, 0x01, 0x00, 0xEF, 0x00, 0x00]);
    let found = sniff(&webp, true).expect("a WebP");
    assert_eq!((found.width, found.height), (Some(320), Some(240)));
}

#[test]
fn documents_and_videos_are_known_by_their_bytes() {
    let cases: [(&[u8], &str, Family); 6] = [
        (b"%PDF-1.7\n%\xe2\xe3", "application/pdf", Family::Document),
        (
            b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom",
            "video/mp4",
            Family::Video,
        ),
        (
            b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm",
            "video/webm",
            Family::Video,
        ),
        (
            b"hello, world\nsecond line\n",
            "text/plain; charset=utf-8",
            Family::Document,
        ),
        (
            b"PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0\0\0\0\0\0\0\0\0\0\0\0\0\x13\0[Content_Types].xml....PK\x03\x04word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Family::Document,
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0\0\0",
            "application/vnd.ms-office",
            Family::Document,
        ),
    ];
    for (bytes, content_type, family) in cases {
        let found = sniff(bytes, true).unwrap_or_else(|| panic!("{content_type} not known"));
        assert_eq!(found.content_type, content_type);
        assert_eq!(found.family, family);
    }
}

#[test]
fn markup_and_unknown_bytes_are_not_accepted_whatever_they_are_called() {
    for refused in [
        &b"<!DOCTYPE html><html><body>hi</body></html>"[..],
        b"  <script>alert(1)</script>",
        b"\xef\xbb\xbf<html>",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"<?xml version='1.0'?><x/>",
        b"<a href='javascript:alert(1)'>x</a>",
        b"\x7fELF\x02\x01\x01\0\0\0",
        b"MZ\x90\0\x03\0\0\0",
        b"PK\x03\x04just a zip",
        b"\0\0\0\x1cftypavif\0\0\0\0avifmif1",
        b"\0\0\0\x18ftypM4A \0\0\0\0",
        b"plain until a NUL \0 appears",
        b"",
    ] {
        assert_eq!(
            sniff(refused, true),
            None,
            "{:?}",
            String::from_utf8_lossy(refused)
        );
    }
    // Text that merely mentions a tag is still text.
    assert!(sniff(b"use <b> for bold", true).is_some());
    // A character cut by the sniff window is not a reason to refuse.
    assert!(sniff("caf\u{e9}".as_bytes().split_at(4).0, false).is_some());
}

#[test]
fn names_keep_only_a_safe_last_component() {
    assert_eq!(clean_name("../../etc/passwd"), "passwd");
    assert_eq!(clean_name("..\\..\\boot.ini"), "boot.ini");
    assert_eq!(clean_name("a%2Fb%2F..%2Fc.txt"), "c.txt");
    assert_eq!(clean_name("bell\u{7}\nnew\u{0}line.txt"), "bellnewline.txt");
    assert_eq!(clean_name("invoice\u{202E}gnp.exe"), "invoicegnp.exe");
    assert_eq!(clean_name("caf%C3%A9 menu.pdf"), "café menu.pdf");
    assert_eq!(clean_name("100%.txt"), "100%.txt");
    assert_eq!(clean_name(" ... "), "file");
    assert_eq!(clean_name(""), "file");
    let long = format!("{}.png", "x".repeat(1000));
    let kept = clean_name(&long);
    assert_eq!(kept.chars().count(), 200);
    assert!(kept.ends_with("….png"), "{kept}");
}

#[test]
fn a_disposition_header_cannot_be_broken_out_of() {
    let header = content_disposition(false, "a\"b;c\u{e9}.txt");
    assert_eq!(
        header,
        "attachment; filename=\"a_b_c_.txt\"; filename*=UTF-8''a%22b%3Bc%C3%A9.txt"
    );
    assert!(content_disposition(true, "cat.png").starts_with("inline; "));
}

#[test]
fn ranges_follow_rfc_9110() {
    let r = |h: &str| parse_range(Some(h), 1000);
    assert_eq!(r("bytes=0-99"), Ok(Some(ByteRange { start: 0, end: 99 })));
    assert_eq!(
        r("bytes=900-"),
        Ok(Some(ByteRange {
            start: 900,
            end: 999
        }))
    );
    assert_eq!(
        r("bytes=-100"),
        Ok(Some(ByteRange {
            start: 900,
            end: 999
        }))
    );
    assert_eq!(
        r("bytes=990-5000"),
        Ok(Some(ByteRange {
            start: 990,
            end: 999
        }))
    );
    assert_eq!(r("bytes=1000-"), Err(RangeError));
    assert_eq!(r("bytes=5000-6000"), Err(RangeError));
    // Ignored: the whole file is served.
    for ignored in ["bytes=0-1,5-6", "items=0-1", "bytes=abc", "bytes=9-3"] {
        assert_eq!(r(ignored), Ok(None), "{ignored}");
    }
    assert_eq!(parse_range(None, 10), Ok(None));
    let range = ByteRange { start: 10, end: 19 };
    assert_eq!(
        (range.len(), range.content_range(100)),
        (10, "bytes 10-19/100".into())
    );
}
