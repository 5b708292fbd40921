//! Applies the configured theme: `data-theme` on the root element (the CSS picks colours from
//! it, or from `prefers-color-scheme` when `auto`), and the host's `--bc-*` variables.

use backup_core::config::Theme;
use leptos::prelude::*;

use crate::state::use_app_state;

pub fn use_theme() {
    let state = use_app_state();
    Effect::new(move |_| {
        let (theme, css) = state.config.with(|c| (c.theme.unwrap_or(Theme::Auto), c.theme_css()));
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        if let Some(root) = doc.document_element() {
            let _ = root.set_attribute("data-theme", theme.as_str());
        }
        let style = doc.get_element_by_id("bc-theme-vars").or_else(|| {
            let el = doc.create_element("style").ok()?;
            el.set_id("bc-theme-vars");
            doc.head()?.append_child(&el).ok()?;
            Some(el)
        });
        if let Some(style) = style {
            style.set_text_content(Some(&css));
        }
    });
}
