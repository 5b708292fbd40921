//! Applies the configured theme: `data-theme` on the root element (the CSS picks colours from
//! it, or from `prefers-color-scheme` when `auto`), and the host's `--bc-*` variables set one
//! by one through CSSOM, which a strict Content-Security-Policy allows (a `<style>` element or
//! `style` attribute it would block).

use backup_core::config::Theme;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::state::use_app_state;

pub fn use_theme() {
    let state = use_app_state();
    let applied = StoredValue::new(Vec::<String>::new());
    Effect::new(move |_| {
        let (theme, vars) = state.config.with(|c| (c.theme.unwrap_or(Theme::Auto), c.theme_vars()));
        let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        let _ = root.set_attribute("data-theme", theme.as_str());
        let style = root.style();
        for old in applied.get_value() {
            let _ = style.remove_property(&old);
        }
        for (name, value) in &vars {
            let _ = style.set_property(name, value);
        }
        applied.set_value(vars.into_iter().map(|(n, _)| n).collect());
    });
}
