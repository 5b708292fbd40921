use leptos::prelude::*;

use super::connection_form::ConnectionUi;
use super::dom::{slot, El};
use crate::components::variant::Action;
use crate::state::use_app_state;

/// What the line shows.
#[derive(Clone, PartialEq)]
enum Line {
    Connected { url: String, version: String, backends: String, key: String },
    /// The configuration is connecting by itself.
    Connecting(String),
    Nothing,
}

/// The server in one line once connected: address, version, backends, key status, and
/// "Change server", which opens the connection form (same labelled controls as before).
/// Appended to `parent` (the page's top bar).
pub fn connection_line(parent: &El, ui: ConnectionUi) {
    let state = use_app_state();
    let line = move || match state.connection.with(|c| c.as_ref().map(|c| (c.client.base_url().to_string(), c.version.clone(), c.backends.clone(), c.access.clone(), c.client.has_key()))) {
        Some((url, version, backends, access, has_key)) => Line::Connected {
            url,
            version,
            backends: match backends.len() {
                0 => "no backup backend".to_string(),
                _ => backends.join(", "),
            },
            // With RBAC: who the key is, and whether it is root (sees and may do everything).
            key: match (access, has_key) {
                (Some(a), _) => format!("API key of {}", a.describe()),
                (None, true) => "API key".into(),
                (None, false) => "no API key".into(),
            },
        },
        None if state.connecting.get() && ui.auto.get() => Line::Connecting(state.config.with(|c| c.url()).unwrap_or_default()),
        None => Line::Nothing,
    };
    let draw = move |line: Line| match line {
        Line::Connected { url, version, backends, key } => {
            let host = url.split_once("://").map(|(_, h)| h.to_string()).unwrap_or_else(|| url.clone());
            Some(
                El::new("div").attr("class", "conn-line").attr("role", "group").attr("aria-label", "Server")
                    .child(El::new("span").attr("class", "conn-dot").attr("aria-hidden", "true"))
                    .child(
                        El::new("span").attr("class", "conn-server").attr("title", &format!("Connected to {url}"))
                            .child(El::new("span").attr("class", "visually-hidden").text("Connected to "))
                            .text(&host),
                    )
                    .child(El::new("span").attr("class", "conn-meta").text(&format!("Weaviate {version}")))
                    .child(El::new("span").attr("class", "conn-meta").attr("title", "Enabled backup backends").text(&backends))
                    .child(El::new("span").attr("class", "conn-meta conn-key").text(&key))
                    .child(
                        El::new("button").attr("type", "button").attr("class", Action::SecondarySmall.class())
                            .attr("aria-controls", "connection-form")
                            .bind_attr("aria-expanded", move || Some(ui.open.get().to_string()))
                            .on("click", move |_| ui.toggle())
                            .text("Change server"),
                    ),
            )
        }
        Line::Connecting(url) => Some(
            El::new("div").attr("class", "conn-line").attr("role", "status")
                .child(El::new("span").attr("class", "conn-dot pending").attr("aria-hidden", "true"))
                .child(El::new("span").text(&format!("Connecting to {url}…"))),
        ),
        Line::Nothing => None,
    };
    slot(&parent.0, line, draw);
}
