//! Moving the keyboard focus to an element by its id (the composer after a pick from a
//! list beside it, a search box as its panel opens).

use wasm_bindgen::JsCast;

/// Focuses the element `id`, if the page has it now.
pub fn focus(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// Focuses the element `id` once the render under way has put it in the page.
pub fn focus_soon(id: &'static str) {
    gloo_timers::callback::Timeout::new(0, move || focus(id)).forget();
}
