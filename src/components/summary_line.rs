use backup_core::summary::{Mood, Tally};
use leptos::prelude::*;

use crate::components::policies::use_policy_book;
use crate::state::use_app_state;

/// One line above the jobs: what is running, what failed in the last 24 h, how many
/// collections are in no backup (a link to Coverage), and policies overdue or failing (a link
/// to Policies).
#[component]
pub fn SummaryLine() -> impl IntoView {
    let state = use_app_state();
    // The 24 h window moves by the minute; job changes recount at once.
    let minute = Memo::new(move |_| state.now.get() / 60_000);
    let book = use_policy_book();
    let summary = Memo::new(move |_| {
        let mut t = Tally::new(minute.get() * 60_000);
        state.jobs.with(|j| j.entries().iter().for_each(|e| e.job.with(|job| t.add(job))));
        let mut s = state.connection.with(|c| t.finish(c.as_ref().map(|c| c.collections.as_slice()).unwrap_or_default()));
        if let Some(book) = book {
            book.standing.with(|rows| rows.iter().for_each(|(_, r)| s.add_policy(r.row.state.health)));
        }
        s
    });
    let part = move |i: usize| summary.with(|s| s.parts()[i].clone());
    let item = move |i: usize| {
        let (mood, text) = part(i);
        let icon = match (i, mood) {
            (_, Mood::Calm) => "✔",
            (0, _) => "◔",
            _ => "⚠",
        };
        (format!("summary-item {}", mood.as_str()), icon, text)
    };
    view! {
        <p class="summary-line" aria-label="Summary">
            {move || {
                let (class, icon, text) = item(0);
                view! { <span class=class><span class="icon" aria-hidden="true">{icon}</span>{text}</span> }
            }}
            {move || {
                let (class, icon, text) = item(1);
                view! { <span class=class><span class="icon" aria-hidden="true">{icon}</span>{text}</span> }
            }}
            {move || {
                let (class, icon, text) = item(2);
                let attention = summary.with(|s| s.uncovered > 0);
                view! {
                    <span class=class><span class="icon" aria-hidden="true">{icon}</span>
                        {if attention {
                            view! { <a href="#coverage-h" on:click=move |ev| {
                                ev.prevent_default();
                                if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("coverage-h")) {
                                    el.scroll_into_view();
                                }
                            }>{text}</a> }.into_any()
                        } else {
                            view! { <span>{text}</span> }.into_any()
                        }}
                    </span>
                }
            }}
            {move || summary.with(|s| s.policies_part()).map(|text| view! {
                <span class="summary-item attention" data-summary="policies">
                    <span class="icon" aria-hidden="true">"⚠"</span>
                    <a href=backup_core::route::Route::Policies.to_hash()>{text}</a>
                </span>
            })}
        </p>
    }
}
