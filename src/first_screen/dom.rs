//! The first screen's DOM kit: elements built with web-sys and kept in step with signals by
//! effects (Leptos's reactive graph, without its renderer: see `first_screen`). Everything an
//! element listens to or follows lives as long as the reactive owner that built it.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, EventTarget, Node};

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a page with a document")
}

/// Calls `f` on each `event` at `target` until the current owner is cleaned up.
pub fn listen(target: &EventTarget, event: &'static str, f: impl FnMut(web_sys::Event) + 'static) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    let held = StoredValue::new_local(Some((target.clone(), closure)));
    on_cleanup(move || {
        if let Some((target, closure)) = held.try_update_value(Option::take).flatten() {
            let _ = target.remove_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        }
    });
}

/// Runs `apply` with what `read` returns now and whenever the signals it reads change.
/// (Boxed: one effect type per kind of value rather than one per binding, which keeps the
/// first load small.)
fn follow<T: 'static>(read: Box<dyn Fn() -> T>, apply: Box<dyn Fn(T)>) {
    Effect::new(move |_| apply(read()));
}

/// An element under construction.
pub struct El(pub Element);

impl El {
    pub fn new(tag: &str) -> El {
        El(document().create_element(tag).expect("a valid tag name"))
    }

    pub fn attr(self, name: &str, value: &str) -> El {
        let _ = self.0.set_attribute(name, value);
        self
    }

    pub fn text(self, text: &str) -> El {
        let _ = self.0.append_child(&document().create_text_node(text));
        self
    }

    pub fn child(self, child: impl AsRef<Node>) -> El {
        let _ = self.0.append_child(child.as_ref());
        self
    }

    pub fn on(self, event: &'static str, f: impl FnMut(web_sys::Event) + 'static) -> El {
        listen(&self.0, event, f);
        self
    }

    /// The attribute follows `value`; absent while it is `None`.
    pub fn bind_attr(self, name: &'static str, value: impl Fn() -> Option<String> + 'static) -> El {
        let el = self.0.clone();
        follow(
            Box::new(value),
            Box::new(move |v: Option<String>| {
                let _ = match v {
                    Some(v) => el.set_attribute(name, &v),
                    None => el.remove_attribute(name),
                };
            }),
        );
        self
    }

    /// A boolean attribute (`hidden`, `disabled`) or, with a `class.` prefix, a class.
    pub fn bind_flag(self, name: &'static str, on: impl Fn() -> bool + 'static) -> El {
        let el = self.0.clone();
        follow(
            Box::new(on),
            Box::new(move |on: bool| {
                let _ = match (name.strip_prefix("class."), on) {
                    (Some(class), _) => el.class_list().toggle_with_force(class, on).map(|_| ()),
                    (None, true) => el.set_attribute(name, ""),
                    (None, false) => el.remove_attribute(name),
                };
            }),
        );
        self
    }

    /// The text content follows `text`.
    pub fn bind_text(self, text: impl Fn() -> String + 'static) -> El {
        let el = self.0.clone();
        follow(Box::new(text), Box::new(move |t: String| el.set_text_content(Some(&t))));
        self
    }

    /// An input's `value` property follows `value` (left alone while they agree, so the caret
    /// stays where the admin is typing).
    pub fn bind_value(self, value: impl Fn() -> String + 'static) -> El {
        let input: web_sys::HtmlInputElement = self.0.clone().unchecked_into();
        follow(
            Box::new(value),
            Box::new(move |v: String| {
                if input.value() != v {
                    input.set_value(&v);
                }
            }),
        );
        self
    }

    /// A checkbox's `checked` property follows `on`.
    pub fn bind_checked(self, on: impl Fn() -> bool + 'static) -> El {
        let input: web_sys::HtmlInputElement = self.0.clone().unchecked_into();
        follow(Box::new(on), Box::new(move |on: bool| input.set_checked(on)));
        self
    }

    /// What `build` makes of `key()`, at this point of the children; rebuilt (under an owner
    /// of its own, so its listeners and bindings go with it) only when the key changes.
    pub fn slot<K: PartialEq + Clone + 'static>(
        self,
        key: impl Fn() -> K + 'static,
        build: impl Fn(K) -> Option<El> + 'static,
    ) -> El {
        slot(&self.0, key, build);
        self
    }

    pub fn into_html(self) -> web_sys::HtmlElement {
        self.0.unchecked_into()
    }
}

impl AsRef<Node> for El {
    fn as_ref(&self) -> &Node {
        &self.0
    }
}

/// [`El::slot`] for an element already built.
pub fn slot<K: PartialEq + Clone + 'static>(parent: &Element, key: impl Fn() -> K + 'static, build: impl Fn(K) -> Option<El> + 'static) {
    slot_boxed(parent, Box::new(key), Box::new(build));
}

fn slot_boxed<K: PartialEq + Clone + 'static>(parent: &Element, key: Box<dyn Fn() -> K>, build: Box<dyn Fn(K) -> Option<El>>) {
    let marker = document().create_comment("");
    let _ = parent.append_child(&marker);
    // Content owners hang off the slot's owner, not the effect's: an effect's run cleans up
    // what its previous run created, and content that did not change must keep its bindings.
    let outer = Owner::current().unwrap_or_else(Owner::new);
    Effect::new(move |shown: Option<(K, Option<Element>, Owner)>| {
        let now = key();
        if let Some((was, el, owner)) = shown {
            if was == now {
                return (was, el, owner);
            }
            if let Some(el) = el {
                el.remove();
            }
            owner.cleanup();
        }
        let owner = outer.child();
        let el = owner.with(|| untrack(|| build(now.clone()))).map(|e| e.0);
        if let (Some(el), Some(parent)) = (&el, marker.parent_node()) {
            let _ = parent.insert_before(el, marker.next_sibling().as_ref());
        }
        (now, el, owner)
    });
}
