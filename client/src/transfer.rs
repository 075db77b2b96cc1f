//! Sending files from the browser. Uploads go through XMLHttpRequest, the one browser API
//! that reports upload progress; image thumbnails are drawn on a canvas before upload.

use js_sys::{Function, Promise, encode_uri_component};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, File, HtmlInputElement, ImageBitmap, ImageEncodeOptions, OffscreenCanvas,
    OffscreenCanvasRenderingContext2d, ProgressEvent, XmlHttpRequest,
};

use crate::uploads::fit;

/// The longest side of a thumbnail, in pixels: sharp at twice the size it is shown.
pub const THUMBNAIL_MAX: u32 = 640;

fn js_err(value: JsValue) -> String {
    value
        .as_string()
        .unwrap_or_else(|| "the browser refused the request".to_owned())
}

/// Sends `body` with `method` to `url` as the signed-in user, with its name (if any) in
/// `X-File-Name`; `on_progress` hears the bytes sent so far. Returns the JSON answer, or
/// the server's message. Not generic (the listener is boxed): one copy in the `.wasm`
/// for every caller.
pub async fn send(
    method: &str,
    url: &str,
    token: &str,
    body: &Blob,
    name: Option<&str>,
    mut on_progress: Box<dyn FnMut(u64)>,
) -> Result<Value, String> {
    let xhr = XmlHttpRequest::new().map_err(js_err)?;
    xhr.open_with_async(method, url, true).map_err(js_err)?;
    xhr.set_request_header("Authorization", &format!("Bearer {token}"))
        .map_err(js_err)?;
    if let Some(name) = name {
        let encoded: String = encode_uri_component(name).into();
        xhr.set_request_header("X-File-Name", &encoded)
            .map_err(js_err)?;
    }
    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
        on_progress(event.loaded() as u64);
    });
    xhr.upload()
        .map_err(js_err)?
        .set_onprogress(Some(progress.as_ref().unchecked_ref()));
    let finished = Promise::new(&mut |resolve: Function, reject: Function| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
        xhr.set_onabort(Some(&reject));
    });
    xhr.send_with_opt_blob(Some(body)).map_err(js_err)?;
    let outcome = JsFuture::from(finished).await;
    drop(progress);
    outcome.map_err(|_| "the upload broke off; check the connection".to_owned())?;
    let status = xhr.status().map_err(js_err)?;
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        Ok(answer)
    } else {
        if status == 503 {
            crate::outage::noticed();
        }
        let error = &answer["error"];
        Err(match error["message"].as_str() {
            Some(message) => {
                crate::failure::reported(status, message.to_owned(), error["requestId"].as_str())
            }
            None => format!("the server answered {status}"),
        })
    }
}

/// A WebP thumbnail of an image file, at most [`THUMBNAIL_MAX`] pixels on its longer
/// side; `None` when the browser cannot decode it (the upload goes on without one).
pub async fn thumbnail(file: &Blob) -> Option<Blob> {
    let window = web_sys::window()?;
    let bitmap: ImageBitmap = JsFuture::from(window.create_image_bitmap_with_blob(file).ok()?)
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let (width, height) = fit(bitmap.width(), bitmap.height(), THUMBNAIL_MAX);
    let canvas = OffscreenCanvas::new(width, height).ok()?;
    let context: OffscreenCanvasRenderingContext2d =
        canvas.get_context("2d").ok()??.dyn_into().ok()?;
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(
            &bitmap,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        )
        .ok()?;
    bitmap.close();
    let options = ImageEncodeOptions::new();
    options.set_type("image/webp");
    options.set_quality(0.8);
    JsFuture::from(canvas.convert_to_blob_with_options(&options).ok()?)
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// The files chosen in the file input `id`, which is then cleared so choosing the same
/// file again fires again.
pub fn chosen_files(id: &str) -> Vec<File> {
    let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = input.files().map_or_else(Vec::new, |list| {
        (0..list.length()).filter_map(|i| list.get(i)).collect()
    });
    input.set_value("");
    files
}

/// The files dropped on the composer.
pub fn dropped_files(event: &dioxus::prelude::DragEvent) -> Vec<File> {
    use dioxus::web::WebEventExt;
    event
        .data()
        .try_as_web_event()
        .and_then(|e| e.data_transfer())
        .and_then(|t| t.files())
        .map_or_else(Vec::new, |list| {
            (0..list.length()).filter_map(|i| list.get(i)).collect()
        })
}

/// The files pasted into the message box (a screenshot, say).
pub fn pasted_files(event: &dioxus::prelude::ClipboardEvent) -> Vec<File> {
    use dioxus::web::WebEventExt;
    event
        .data()
        .try_as_web_event()
        .and_then(|e| e.dyn_into::<web_sys::ClipboardEvent>().ok())
        .and_then(|e| e.clipboard_data())
        .and_then(|t| t.files())
        .map_or_else(Vec::new, |list| {
            (0..list.length()).filter_map(|i| list.get(i)).collect()
        })
}
