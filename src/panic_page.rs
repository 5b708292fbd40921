//! Should anything ever panic, the wasm instance is dead (the release build traps at once), so
//! the page is replaced by a plain "The console stopped — reload" message instead of a frozen
//! console, and the host page is told. That happens in `panic_page.js`, on the trap, because
//! no Rust can run after it; this module only hands it what it needs beforehand.

use backup_core::host::ConsoleEvent;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/panic_page.js")]
extern "C" {
    #[wasm_bindgen(js_name = watchForTraps)]
    fn watch_for_traps();
    #[wasm_bindgen(js_name = setStoppedNotice)]
    fn set_stopped_notice(target: Option<String>, message: &str);
    /// Replaces what `container` shows with the stopped message and a reload link.
    #[wasm_bindgen(js_name = renderStopped)]
    pub fn render_stopped(container: &web_sys::Element);
}

/// Watches for the trap. A stable build also logs the panic's message to the browser console.
pub fn install() {
    console_error_panic_hook::set_once();
    watch_for_traps();
}

/// Remembers where `stopped` goes (the allowed host origin, once known).
pub fn set_host(origin: Option<String>) {
    set_stopped_notice(origin, &ConsoleEvent::Stopped.to_json());
}
