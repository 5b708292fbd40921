//! Every workaround for Leptos's reactive internals, in one place (leptos 0.8.23,
//! reactive_graph 0.2.16), so the rest of the app reads like todomvc. Each says what it works
//! around and where that lives upstream; no leptos-rs/leptos issue reports these as of 0.8.23
//! (searched 2026-12-06), so each cites the source instead. When upstream changes, this is the
//! one file to revisit.

use backup_core::access::Access;
use backup_core::job::JobKey;
use backup_core::version::Capabilities;
use leptos::prelude::*;
use leptos::reactive::graph::{Source, ToAnySubscriber};

use crate::state::AppState;

/// A view's handles to a signal that outlives the view (a job entry, read by rows that come and
/// go): a memo to read, its one subscription removed when the view goes, and the write half.
///
/// Works around: a memo dropped without running again stays in its source's subscriber set
/// (`ArcMemo` has no `Drop`; sources are only cleared when a subscriber re-runs,
/// `reactive_graph` 0.2.16 `src/graph/subscriber.rs` `clear_sources`). Every row drawn would
/// leave ~1.4 KB on its entry, one dead subscription per thing the row shows.
pub fn watch<T: Clone + PartialEq + Send + Sync + 'static>(source: &ArcRwSignal<T>) -> (Memo<T>, WriteSignal<T>) {
    let read = {
        let source = source.clone();
        ArcMemo::new(move |_| source.get())
    };
    let (held, subscriber) = (source.clone(), read.to_any_subscriber());
    on_cleanup(move || held.remove_subscriber(&subscriber));
    (Memo::from(read), WriteSignal::from(source.write_only()))
}

/// What a job's view (a row, the job detail) reads besides the job itself, as memos owned by
/// whoever draws the rows. Rows read these, never an app-wide signal: reactive_graph drops an
/// effect's subscriptions only when the effect runs again, so every row drawn would leave a
/// dead subscription (~50 B, forever) on a signal that lives as long as the app; here they go
/// when the table body that owns the scope is rebuilt. The clock ticks apart from the rest,
/// which changes rarely (one memo: one set of reactive code in the bundle, not five).
#[derive(Clone, Copy)]
pub struct JobScope {
    /// The poller's clock (read by running jobs only).
    pub now: Memo<u64>,
    shared: Memo<Shared>,
}

#[derive(Clone, PartialEq)]
struct Shared {
    stall_ms: u64,
    opened: Option<JobKey>,
    caps: Option<Capabilities>,
    server: Option<(String, bool)>,
    read_only: bool,
    framing_refusal: Option<String>,
    access: Option<Access>,
}

impl JobScope {
    pub fn new(state: AppState) -> JobScope {
        JobScope {
            now: Memo::new(move |_| state.now.get()),
            shared: Memo::new(move |_| Shared {
                stall_ms: state.stall_minutes.get().max(1) * 60_000,
                opened: state.route.with(|r| r.job().cloned()),
                caps: state.connection.with(|c| c.as_ref().map(|c| c.caps)),
                server: state.connection.with(|c| c.as_ref().map(|c| (c.client.base_url().to_string(), c.client.has_key()))),
                read_only: state.read_only(),
                framing_refusal: state.framing_refusal(),
                access: state.connection.with(|c| c.as_ref().and_then(|c| c.access.clone())),
            }),
        }
    }

    /// How long unchanged counts as "may be stuck".
    pub fn stall_ms(self) -> u64 {
        self.shared.with(|s| s.stall_ms)
    }

    /// Whether `key`'s detail is open (`#/jobs/…`).
    pub fn is_open(self, key: &JobKey) -> bool {
        self.shared.with(|s| s.opened.as_ref() == Some(key))
    }

    pub fn caps(self) -> Option<Capabilities> {
        self.shared.with(|s| s.caps)
    }

    /// The server's URL and whether a key is sent, for copy-as-curl.
    pub fn server(self) -> Option<(String, bool)> {
        self.shared.with(|s| s.server.clone())
    }

    pub fn read_only(self) -> bool {
        self.shared.with(|s| s.read_only)
    }

    /// See [`AppState::framing_refusal`].
    pub fn framing_refusal(self) -> Option<String> {
        self.shared.with(|s| s.framing_refusal.clone())
    }

    /// Why the key may not cancel a job on `classes` (the server authorizes a cancel against
    /// every collection the backup holds), with the permission named.
    pub fn cancel_refusal(self, classes: &[String]) -> Option<String> {
        self.shared.with(|s| s.access.as_ref().and_then(|a| a.missing(classes)))
    }

    /// Why the key may restore none of `classes` (a restore is narrowed to the ones it may).
    pub fn restore_refusal(self, classes: &[String]) -> Option<String> {
        self.shared.with(|s| {
            let a = s.access.as_ref()?;
            a.narrowing(classes, &[], &[]).filter(|n| n.allowed.is_empty()).map(|_| a.missing(classes).unwrap_or_default())
        })
    }
}


/// Rows drawn (in all, since the last rebuild) after which the table body is rebuilt at the
/// next wholesale page change; at four times as many, at once.
pub const REDRAW_AFTER: usize = 500;

/// When the app rebuilds the table body, which frees what the rows drawn so far left behind
/// in the UI framework. Only at a wholesale page change (paging, a filter, Clear finished)
/// once `REDRAW_AFTER` rows were drawn, so nothing the admin is doing in a row (a cancel
/// being confirmed) is lost; a table where one new job at a time pushes one row down is
/// rebuilt at `4 * REDRAW_AFTER` rows. Memory held stays bounded; redrawing costs one page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Redraws {
    /// Rows drawn by the current body.
    pub drawn: usize,
    /// Bumped at each rebuild.
    pub generation: u64,
}

impl Redraws {
    /// After the page (row keys, top to bottom) changed from `old` to `new`.
    pub fn next(self, old: &[u64], new: &[u64]) -> Redraws {
        let fresh = new.iter().filter(|k| !old.contains(k)).count();
        let drawn = self.drawn.saturating_add(fresh);
        let wholesale = fresh == new.len();
        if (wholesale && drawn >= REDRAW_AFTER) || drawn >= 4 * REDRAW_AFTER {
            // The new body draws the page it is built with.
            Redraws { drawn: new.len(), generation: self.generation.wrapping_add(1) }
        } else {
            Redraws { drawn, ..self }
        }
    }
}

/// Makes the running code depend on `memo` without using its value.
///
/// Works around: `track()` on a memo subscribes without computing it (the blanket `Track` impl,
/// `reactive_graph` 0.2.16 `src/traits.rs`, never calls `update_if_necessary`), so a memo read
/// by nobody else never sees its sources change and never notifies. Reading it computes it.
pub fn depend_on<T: Send + Sync + 'static>(memo: Memo<T>) {
    memo.with(|_| ());
}

/// A `<datalist>`'s options, redrawn whole: a keyed list keeps a link to every option it ever
/// drew (`For`'s owner holds a `Weak` to each row's owner until it is dropped itself, tachys
/// 0.2.19 `src/view/keyed.rs`), and suggestions change with every backup that succeeds.
pub fn redrawn_options(values: impl Fn() -> Vec<String> + Send + Sync + 'static) -> impl IntoView {
    move || values().into_iter().map(|v| view! { <option value=v /> }).collect::<Vec<_>>()
}
