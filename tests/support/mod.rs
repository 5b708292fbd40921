//! What the browser test files share: mounting a view, finding in it, typing into it, and a
//! connection as discovery would leave it.

#![allow(dead_code)] // each test file uses its own part

use backup_console::client::Client;
use backup_console::state::Connection;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};

/// Mounts `view` in a fresh container; keep the handle alive while asserting.
pub fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> (Element, impl Drop) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), view);
    (host.into(), handle)
}

/// Mounts what `build` draws without Leptos's renderer (the first screen), under an owner of its
/// own; dropping the handle cleans it up and takes it off the page.
pub fn mount_dom(build: impl FnOnce() -> Element) -> (Element, impl Drop) {
    struct Mounted(Owner, Element);
    impl Drop for Mounted {
        fn drop(&mut self) {
            self.0.cleanup();
            self.1.remove();
        }
    }
    // As the console's start does: effects run on Leptos's executor (mount_to starts it too).
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let doc = web_sys::window().unwrap().document().unwrap();
    let host = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&host).unwrap();
    let owner = Owner::new();
    let content = owner.with(build);
    host.append_child(&content).unwrap();
    (host.clone(), Mounted(owner, host))
}

pub fn q(root: &Element, sel: &str) -> Option<Element> {
    root.query_selector(sel).unwrap()
}

/// Types `value` into the input `sel` as a user would (an `input` event).
pub fn set_input(root: &Element, sel: &str, value: &str) {
    let input: HtmlInputElement = q(root, sel).unwrap_or_else(|| panic!("no {sel}")).unchecked_into();
    input.set_value(value);
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
}

/// A connection to `url` (a v1.39.0 server without RBAC), as discovery would leave it.
pub fn connection(url: &str) -> Connection {
    Connection {
        client: Client::new(url, None),
        version: "1.39.0".into(),
        caps: backup_core::version::Capabilities::for_version("1.39.0"),
        backends: vec!["filesystem".into()],
        collections: vec!["Article".into(), "Paragraph".into()],
        nodes: vec!["node1".into()],
        clock_offset_ms: None,
        access: None,
    }
}
