//! Moving the keyboard focus: to an element by its id (the composer after a pick from a
//! list beside it, a search box as its panel opens), into a dialog and back out of it,
//! and round within a dialog with Tab.

use std::{cell::RefCell, rc::Rc};

use dioxus::prelude::*;
use wasm_bindgen::JsCast;

fn element(id: &str) -> Option<web_sys::HtmlElement> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

/// Focuses the element `id`, if the page has it now.
pub fn focus(id: &str) {
    if let Some(element) = element(id) {
        let _ = element.focus();
    }
}

/// Focuses the element `id` once the render under way has put it in the page.
pub fn focus_soon(id: &'static str) {
    gloo_timers::callback::Timeout::new(0, move || focus(id)).forget();
}

/// Focuses the text box `id` with the caret after its text (an edit, where the words
/// go on), once the render under way has put it in the page.
pub fn caret_at_end_soon(id: &'static str) {
    gloo_timers::callback::Timeout::new(0, move || {
        if let Some(area) =
            element(id).and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        {
            let end = area.value().encode_utf16().count() as u32;
            let _ = area.focus();
            let _ = area.set_selection_range(end, end);
        }
    })
    .forget();
}

/// Where focus goes when a dialog or an edit closes.
enum Back {
    /// What had it before, if it is still in the page; the composer if not.
    To(Option<web_sys::HtmlElement>),
    /// The element with this id, once the render under way has put it in the page.
    Id(&'static str),
}

/// Sends focus where it belongs when the dialog or edit holding it goes.
struct OnClose(RefCell<Back>);

impl Drop for OnClose {
    fn drop(&mut self) {
        match self.0.replace(Back::To(None)) {
            Back::To(Some(before)) if before.is_connected() => {
                gloo_timers::callback::Timeout::new(0, move || {
                    let _ = before.focus();
                })
                .forget();
            }
            Back::Id(id) => focus_soon(id),
            // What had focus went with the dialog (or nothing had it): the composer.
            Back::To(_) => focus_soon("message-input"),
        }
    }
}

fn active() -> Option<web_sys::HtmlElement> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

/// A dialog's hold on the focus (from [`use_dialog_focus`]), owned by its component:
/// it lets go, and focus moves, when the component goes.
#[derive(Clone, Copy)]
pub struct DialogFocus(CopyValue<Rc<OnClose>>);

impl DialogFocus {
    /// When the dialog closes, focus goes to `id` (a room it opened: the composer)
    /// instead of back where it was.
    pub fn hand_to(&self, id: &'static str) {
        *self.0.read().0.borrow_mut() = Back::Id(id);
    }
}

/// For the life of a dialog: `first` takes focus as it opens, and what had focus before
/// gets it back when it closes (the composer, if that is gone).
pub fn use_dialog_focus(first: &'static str) -> DialogFocus {
    use_hook(|| {
        let back = Rc::new(OnClose(RefCell::new(Back::To(active()))));
        focus_soon(first);
        DialogFocus(CopyValue::new(back))
    })
}

/// For the life of an edit: the caret after the text as it opens, and the composer
/// focused when it closes (saved or not).
pub fn use_edit_focus(id: &'static str) {
    use_hook(|| {
        caret_at_end_soon(id);
        Rc::new(OnClose(RefCell::new(Back::Id("message-input"))))
    });
}

/// What Tab can reach.
const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), \
     textarea:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";

/// Tab and Shift+Tab go round within the dialog `id` instead of walking behind it.
pub fn keep_tab_within(id: &str, e: &KeyboardEvent) {
    if e.key() != Key::Tab {
        return;
    }
    let Some(dialog) = element(id) else {
        return;
    };
    let Ok(all) = dialog.query_selector_all(FOCUSABLE) else {
        return;
    };
    let count = all.length();
    if count == 0 {
        return;
    }
    let (first, last) = (all.item(0), all.item(count - 1));
    let now: Option<web_sys::Node> = active().map(Into::into);
    let inside = now.as_ref().is_some_and(|n| dialog.contains(Some(n)));
    let wrap_to = if e.modifiers().shift() {
        (!inside || now == first).then_some(last)
    } else {
        (!inside || now == last).then_some(first)
    };
    if let Some(Some(to)) = wrap_to {
        e.prevent_default();
        if let Ok(to) = to.dyn_into::<web_sys::HtmlElement>() {
            let _ = to.focus();
        }
    }
}
