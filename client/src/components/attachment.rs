use dioxus::prelude::*;
use edgechat_protocol::Attachment;

use crate::uploads::{fit, human_size};

/// The box an image preview is shown in, in CSS pixels.
const PREVIEW_MAX: u32 = 320;
/// An image without a thumbnail is shown from its original only when it is this small;
/// a message list never downloads a large original just to show it.
const INLINE_ORIGINAL_MAX: u64 = 256 * 1024;

/// One attachment of a message: an image preview (its space reserved from the size the
/// server read), an inline video, or a file with its name and size. Everything comes from
/// `/api/files`, which the media cookie authorizes.
#[component]
pub fn AttachmentView(attachment: Attachment) -> Element {
    let mut zoomed = use_signal(|| false);
    let url = format!("/api/files/{}", attachment.file_id);
    let name = attachment.name.clone();
    let size = human_size(attachment.size);
    let is_image = attachment.content_type.starts_with("image/");
    let preview = match (
        &attachment.thumbnail_id,
        attachment.size <= INLINE_ORIGINAL_MAX,
    ) {
        (Some(_), _) => Some(format!("{url}/thumbnail")),
        (None, true) => Some(url.clone()),
        (None, false) => None,
    };
    if let (true, Some(src)) = (is_image, preview) {
        let (width, height) = fit(
            attachment.width.unwrap_or(PREVIEW_MAX),
            attachment.height.unwrap_or(PREVIEW_MAX * 3 / 4),
            PREVIEW_MAX,
        );
        return rsx! {
            a { class: "attachment image", href: "{url}", target: "_blank", rel: "noopener",
                title: "{name}",
                onclick: move |e: MouseEvent| {
                    // A plain click opens the lightbox; a modified one still opens a tab.
                    let m = e.modifiers();
                    if !(m.ctrl() || m.meta() || m.shift()) {
                        e.prevent_default();
                        zoomed.set(true);
                        crate::focus::focus_soon("lightbox-close");
                    }
                },
                img { class: "thumbnail", src: "{src}", alt: "{name}", loading: "lazy",
                    width: "{width}", height: "{height}" }
            }
            if zoomed() {
                div { class: "lightbox", role: "dialog", aria_modal: "true", aria_label: "{name}",
                    onclick: move |_| zoomed.set(false),
                    onkeydown: move |e: KeyboardEvent| if e.key() == Key::Escape { zoomed.set(false) },
                    img { class: "full", src: "{url}", alt: "{name}" }
                    div { class: "lightbox-bar",
                        span { "{name} · {size}" }
                        a { href: "{url}", download: "{name}", onclick: move |e: MouseEvent| e.stop_propagation(), "Download" }
                        button { id: "lightbox-close", r#type: "button", class: "close", aria_label: "Close",
                            onclick: move |_| zoomed.set(false), "✕" }
                    }
                }
            }
        };
    }
    if attachment.content_type.starts_with("video/") {
        let (width, height) = fit(
            attachment.width.unwrap_or(PREVIEW_MAX),
            attachment.height.unwrap_or(PREVIEW_MAX * 9 / 16),
            PREVIEW_MAX,
        );
        return rsx! {
            video { class: "attachment video", src: "{url}", controls: true, preload: "metadata",
                width: "{width}", height: "{height}", aria_label: "{name}" }
        };
    }
    rsx! {
        a { class: "attachment file", href: "{url}", download: "{name}",
            span { class: "file-icon", aria_hidden: "true", "📄" }
            span { class: "file-name", "{name}" }
            span { class: "file-size", "{size}" }
        }
    }
}
