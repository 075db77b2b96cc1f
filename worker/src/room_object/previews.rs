//! Fetching a link preview for the room: the page under the outbound policy, read with
//! the runtime's own `HTMLRewriter` (Open Graph tags and `<title>`; nothing compiled in,
//! never a regular expression), then the image it names, checked by its bytes and
//! stored as a file of the room, so readers load it from this origin.

use std::{cell::RefCell, rc::Rc};

use edgechat_core::{
    files::sniff::{Family, sniff},
    outbound::{IMAGE_BYTES, PAGE_BYTES, Purpose},
    preview::{Card, PageMeta, card},
};
use edgechat_protocol::{LinkPreview, PreviewImage};
use wasm_bindgen::{JsValue, closure::Closure, prelude::wasm_bindgen};
use worker::{
    Date, Env, HttpMetadata,
    js_sys::{Object, Reflect},
    wasm_bindgen_futures::JsFuture,
    web_sys,
};

use crate::{
    auth::crypto,
    files::file_key,
    outbound::{self, Failed},
};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = HTMLRewriter)]
    type HtmlRewriter;
    #[wasm_bindgen(constructor, js_class = "HTMLRewriter")]
    fn new() -> HtmlRewriter;
    #[wasm_bindgen(method, js_class = "HTMLRewriter")]
    fn on(this: &HtmlRewriter, selector: &str, handlers: &Object) -> HtmlRewriter;
    #[wasm_bindgen(method, js_class = "HTMLRewriter")]
    fn transform(this: &HtmlRewriter, response: &web_sys::Response) -> web_sys::Response;

    type RewriterElement;
    #[wasm_bindgen(method, js_name = getAttribute)]
    fn get_attribute(this: &RewriterElement, name: &str) -> Option<String>;

    type RewriterText;
    #[wasm_bindgen(method, getter)]
    fn text(this: &RewriterText) -> String;
}

/// What the room answers about a preview image: whether it holds one with these bytes
/// already (by their hash), and whether it has recorded that a new one is about to be
/// stored.
pub struct ImageRoom<K, I> {
    pub known: K,
    pub intend: I,
}

/// The preview of `link` (the first link of a message by `author` in `room_id`), with the
/// hash of its image's bytes; `None` when the policy refuses it, the page cannot be had or
/// says nothing a card could show. Failures are logged, never surfaced: a message simply
/// has no preview.
pub async fn fetch<K, I>(
    env: &Env,
    room_id: &str,
    author: &str,
    link: &str,
    room: ImageRoom<K, I>,
) -> Option<(LinkPreview, Option<String>)>
where
    K: Fn(&str) -> Option<String>,
    I: Fn(&str) -> bool,
{
    let page = match outbound::get(
        env,
        link,
        Purpose::Page,
        "text/html,application/xhtml+xml",
        PAGE_BYTES,
    )
    .await
    {
        Ok(page) => page,
        Err(err) => {
            // Never the link: it is a piece of a message.
            crate::log::info("preview-unfetched")
                .with("outcome", err.kind())
                .emit();
            return None;
        }
    };
    let html = page.content_type.to_ascii_lowercase();
    if !(html.starts_with("text/html") || html.starts_with("application/xhtml+xml")) {
        return None;
    }
    let meta = match read_meta(page.body).await {
        Ok(meta) => meta,
        Err(err) => {
            crate::log::warn("preview-unread")
                .err(format!("{err:?}"))
                .emit();
            return None;
        }
    };
    let Card {
        url,
        title,
        description,
        site_name,
        image,
    } = card(&page.url, &meta)?;
    let image = match image {
        Some(src) => store_image(env, room_id, author, src.as_str(), room).await,
        None => None,
    };
    let (image, hash) = image.map_or((None, None), |(image, hash)| (Some(image), Some(hash)));
    let preview = LinkPreview {
        link: link.to_owned(),
        url,
        title,
        description,
        site_name,
        image,
    };
    Some((preview, hash))
}

/// Runs `HTMLRewriter` over `body` (at most [`PAGE_BYTES`], already cut there) and
/// collects what a card may use.
async fn read_meta(body: Vec<u8>) -> Result<PageMeta, JsValue> {
    let meta = Rc::new(RefCell::new(PageMeta::default()));
    let on_meta = {
        let meta = meta.clone();
        Closure::<dyn FnMut(RewriterElement)>::new(move |el: RewriterElement| {
            let name = el
                .get_attribute("property")
                .or_else(|| el.get_attribute("name"));
            if let (Some(name), Some(content)) = (name, el.get_attribute("content")) {
                meta.borrow_mut().meta(&name, &content);
            }
        })
    };
    let on_title = {
        let meta = meta.clone();
        Closure::<dyn FnMut(RewriterText)>::new(move |chunk: RewriterText| {
            meta.borrow_mut().title_text(&chunk.text());
        })
    };
    let meta_handlers = Object::new();
    Reflect::set(&meta_handlers, &"element".into(), on_meta.as_ref())?;
    let title_handlers = Object::new();
    Reflect::set(&title_handlers, &"text".into(), on_title.as_ref())?;

    let init = web_sys::ResponseInit::new();
    let headers = web_sys::Headers::new()?;
    headers.set("Content-Type", "text/html")?;
    init.set_headers(&headers);
    let mut bytes = body;
    let input = web_sys::Response::new_with_opt_u8_array_and_init(Some(&mut bytes), &init)?;
    let rewritten = HtmlRewriter::new()
        .on("meta", &meta_handlers)
        .on("title", &title_handlers)
        .transform(&input);
    // Reading the output drives the parse; what it says is not needed.
    JsFuture::from(rewritten.array_buffer()?).await?;
    drop((on_meta, on_title));
    Ok(Rc::try_unwrap(meta).map_or_else(|shared| shared.borrow().clone(), RefCell::into_inner))
}

/// Fetches the page's image under the policy, keeps it only if its bytes are an image
/// edgechat serves (as uploads are judged), and stores it as a file of the room, with the
/// hash of its bytes: unless the room has those bytes already, which the card then shows,
/// or the author's upload quota is spent (an image fetched for a user is an upload they
/// did not make, and counts as one), when the card goes without.
async fn store_image<K, I>(
    env: &Env,
    room_id: &str,
    author: &str,
    src: &str,
    room: ImageRoom<K, I>,
) -> Option<(PreviewImage, String)>
where
    K: Fn(&str) -> Option<String>,
    I: Fn(&str) -> bool,
{
    let fetched = match outbound::get(env, src, Purpose::Page, "image/*", IMAGE_BYTES).await {
        Ok(fetched) if !fetched.truncated => fetched,
        Ok(_) => {
            crate::log::info("preview-image-unfetched")
                .with("outcome", "oversized")
                .emit();
            return None;
        }
        Err(Failed::Refused(why)) => {
            crate::log::info("preview-image-unfetched")
                .with("outcome", why.as_str())
                .emit();
            return None;
        }
        Err(err) => {
            crate::log::info("preview-image-unfetched")
                .with("outcome", err.kind())
                .emit();
            return None;
        }
    };
    let kind = sniff(&fetched.body, true).filter(|k| k.family == Family::Image)?;
    let image = |file_id: String| PreviewImage {
        file_id,
        content_type: kind.content_type.to_owned(),
        width: kind.width,
        height: kind.height,
    };
    let hash = edgechat_core::files::content_hash(&fetched.body);
    if let Some(file_id) = (room.known)(&hash) {
        return Some((image(file_id), hash));
    }
    let size = fetched.body.len();
    let db = crate::storage::d1(env).ok()?;
    match crate::files::quota::take(env, &db, author, size as u64).await {
        Ok(Ok(())) => {}
        Ok(Err(_)) => {
            crate::log::info("preview-image-unfetched")
                .with("outcome", "quota")
                .emit();
            return None;
        }
        Err(err) => {
            crate::log::warn("preview-image-uncounted").err(err).emit();
            return None;
        }
    }
    let file_id = crypto::random_id("f");
    // Recorded before the bytes go anywhere: an eviction from here on leaves nothing
    // the room does not find and delete.
    if !(room.intend)(&file_id) {
        return None;
    }
    let stored = async {
        crate::storage::r2(env)?
            .put(file_key(&file_id), fetched.body)
            .http_metadata(HttpMetadata {
                content_type: Some(kind.content_type.to_owned()),
                ..HttpMetadata::default()
            })
            .execute()
            .await?;
        let opt = |n: Option<u32>| n.map_or(JsValue::NULL, |n| JsValue::from_f64(f64::from(n)));
        db
            .prepare(
                "INSERT INTO files (id, room_id, uploader_id, name, content_type, size, width, height, thumbnail_of, created_at)
                 VALUES (?, ?, ?, 'preview', ?, ?, ?, ?, NULL, ?)",
            )
            .bind(&[
                JsValue::from_str(&file_id),
                JsValue::from_str(room_id),
                JsValue::from_str(author),
                JsValue::from_str(kind.content_type),
                JsValue::from_f64(size as f64),
                opt(kind.width),
                opt(kind.height),
                JsValue::from_f64(Date::now().as_millis() as f64),
            ])?
            .run()
            .await?;
        Ok::<_, worker::Error>(())
    }
    .await;
    if let Err(err) = stored {
        crate::log::warn("preview-image-unstored").err(err).emit();
        return None;
    }
    Some((image(file_id), hash))
}
