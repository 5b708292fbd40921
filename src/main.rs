use backup_core::config::{ConsoleConfig, Source};
use wasm_bindgen::prelude::*;

fn main() {
    backup_console::panic_page::install();
    // A host page that mounts the console itself (see `mount`) marks its body.
    let body = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body());
    if let Some(body) = body.filter(|b| !b.has_attribute("data-backup-console-manual")) {
        backup_console::first_screen::start(&body, None);
    }
}

/// The mount API for hosts that embed without an iframe: mounts the console into `target`
/// with `config` (the keys of `config.json`, e.g. `{weaviateUrl, apiKey, theme, readOnly}`),
/// checked by the same rules as `config.json`.
#[wasm_bindgen]
pub fn mount(target: web_sys::HtmlElement, config: JsValue) -> Result<(), JsValue> {
    let text = js_sys::JSON::stringify(&config).ok().and_then(|s| s.as_string()).unwrap_or_else(|| "{}".into());
    let preset = ConsoleConfig::parse(if config.is_undefined() || config.is_null() { "{}" } else { &text }, Source::Deployment)
        .map_err(|e| JsValue::from_str(&e))?;
    backup_console::first_screen::start(&target, Some(preset));
    Ok(())
}
