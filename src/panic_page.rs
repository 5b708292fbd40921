//! Should anything ever panic (with `panic = "abort"` the wasm instance is then dead), the page
//! is replaced by a plain "The console stopped — reload" message instead of a frozen console,
//! and the host page is told. The hook cannot read reactive state (a panic may happen inside a
//! borrow of it), so the host's origin is kept here, beside it.

use std::cell::RefCell;

use backup_core::host::ConsoleEvent;
use wasm_bindgen::JsValue;

thread_local! {
    static HOST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Remembers where `stopped` goes (the allowed host origin, once known).
pub fn set_host(origin: Option<String>) {
    HOST.with(|h| *h.borrow_mut() = origin);
}

/// Installs the hook: the panic is still logged to the browser console first.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_stopped();
    }));
}

/// Replaces the page with the stopped message and tells the host.
pub fn show_stopped() {
    let Some(win) = web_sys::window() else { return };
    if let Some(body) = win.document().and_then(|d| d.body()) {
        render_stopped(&body);
    }
    let target = HOST.with(|h| h.borrow().clone());
    if let (Some(target), Ok(Some(parent))) = (target, win.parent()) {
        if let Ok(data) = js_sys::JSON::parse(&ConsoleEvent::Stopped.to_json()) {
            if JsValue::from(&parent) != JsValue::from(&win) {
                let _ = parent.post_message(&data, &target);
            }
        }
    }
}

/// Replaces what `container` shows with the message, built from text nodes only (nothing of
/// the failed page is trusted) and a plain reload link (no script, so it works after a trap).
pub fn render_stopped(container: &web_sys::Element) {
    let Some(win) = web_sys::window() else { return };
    let Some(doc) = win.document() else { return };
    let make = |tag: &str, text: &str| {
        let el = doc.create_element(tag).ok()?;
        el.set_text_content(Some(text));
        Some(el)
    };
    container.set_text_content(None);
    let Some(section) = doc.create_element("section").ok() else { return };
    let _ = section.set_attribute("role", "alert");
    let _ = section.set_attribute("class", "card stopped");
    let link = make("a", "Reload the console");
    if let (Some(a), Ok(href)) = (&link, win.location().href()) {
        let _ = a.set_attribute("href", &href);
    }
    let text = "It hit an unexpected error. Jobs already started keep running on the server; reloading shows them again.";
    for el in [make("h1", "The console stopped — reload"), make("p", text), link].into_iter().flatten() {
        let _ = section.append_child(&el);
    }
    let _ = container.append_child(&section);
}
