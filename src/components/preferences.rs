use backup_core::config::Theme;
use leptos::prelude::*;

use crate::job_events::Alerts;
use crate::state::use_app_state;

const THEME_KEY: &str = "backup-console.theme";
const STALL_KEY: &str = "backup-console.stall-minutes";
/// The largest stall threshold accepted: a week.
const MAX_STALL_MINUTES: u64 = 7 * 24 * 60;

fn stored(key: &str) -> Option<String> {
    crate::local_storage()?.get_item(key).ok()?
}

fn store(key: &str, value: &str) {
    if let Some(s) = crate::local_storage() {
        let _ = s.set_item(key, value);
    }
}

fn theme_of(s: &str) -> Option<Theme> {
    match s {
        "light" => Some(Theme::Light),
        "dark" => Some(Theme::Dark),
        "auto" => Some(Theme::Auto),
        _ => None,
    }
}

/// Applies the preferences saved in this browser (theme, stall threshold) over the
/// configuration. Call once the configuration is known.
pub fn apply_saved_preferences() {
    let state = use_app_state();
    if let Some(t) = stored(THEME_KEY).as_deref().and_then(theme_of) {
        state.config.update(|c| c.theme = Some(t));
    }
    if let Some(m) = stored(STALL_KEY).and_then(|m| m.parse::<u64>().ok()) {
        state.stall_minutes.set(m.clamp(1, MAX_STALL_MINUTES));
    }
}

/// This browser's preferences: notifications, when a running job counts as stuck, theme.
#[component]
pub fn Preferences(alerts: Alerts) -> impl IntoView {
    let state = use_app_state();
    let theme = move || state.config.with(|c| c.theme.unwrap_or(Theme::Auto).as_str());
    view! {
        <section class="card preferences" aria-labelledby="prefs-h">
            <h2 id="prefs-h">"Preferences"</h2>
            <div class="check">
                <input id="notify" type="checkbox" prop:checked=move || alerts.notify.get()
                    on:change=move |ev| alerts.set_notify(event_target_checked(&ev)) />
                <label for="notify">"Notify me when a job ends while this tab is in the background"</label>
            </div>
            <div class="field">
                <label for="jobs-stall">"Flag a running job as stuck after (minutes)"</label>
                <input id="jobs-stall" type="number" min="1" max=MAX_STALL_MINUTES.to_string() inputmode="numeric"
                    prop:value=move || state.stall_minutes.get().to_string()
                    on:change=move |ev| {
                        if let Ok(m) = event_target_value(&ev).parse::<u64>() {
                            let m = m.clamp(1, MAX_STALL_MINUTES);
                            state.stall_minutes.set(m);
                            store(STALL_KEY, &m.to_string());
                        }
                    } />
                <p class="help">"Weaviate reports no progress; a job whose status and size stay the same this long is marked \"may be stuck\"."</p>
            </div>
            <div class="field">
                <label for="pref-theme">"Theme"</label>
                <select id="pref-theme" prop:value=theme on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(t) = theme_of(&v) {
                        state.config.update(|c| c.theme = Some(t));
                        store(THEME_KEY, &v);
                    }
                }>
                    <option value="auto" selected=move || theme() == "auto">"Follow the system"</option>
                    <option value="light" selected=move || theme() == "light">"Light"</option>
                    <option value="dark" selected=move || theme() == "dark">"Dark"</option>
                </select>
                <p class="help">"Saved in this browser."</p>
            </div>
        </section>
    }
}
