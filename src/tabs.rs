//! Tabs of one browser share the polling: for each server, one tab reads the running jobs'
//! status and tells the others what it read, so N tabs cost the server what one does (each
//! status read is an object-storage read on current Weaviate versions).
//!
//! The Web Locks API elects the polling tab: it holds the lock `backup-console.poll <base
//! URL>` for as long as it is connected there, and the browser releases the lock when the tab
//! closes, crashes or navigates away, granting it to the next tab waiting. A tab that is (or
//! becomes) visible takes the lock over (`steal`): the tab the admin looks at polls at the
//! visible pace, and the one it took the lock from waits for its next turn. The tab holding
//! the lock posts each job it read on the `BroadcastChannel` "backup-console"; the others take
//! a read that is newer than what they show (`backup_core::journal::take_shared`). Going away,
//! it says so on the channel, and a visible tab takes the lock at once rather than waiting for
//! the browser to tear the page down (`backup_core::journal::Told::Leaving`).
//!
//! Where either API is missing (Web Locks needs a secure context: https or localhost), every
//! tab polls on its own as before. Jobs started, cancelled or cleared in a tab reach the others
//! through the journal (`crate::journal`), not through this channel.

use std::cell::RefCell;
use std::rc::Rc;

use backup_core::job::Job;
use backup_core::journal::{Shared, Told};
use js_sys::{Function, Object, Promise, Reflect};
use leptos::prelude::*;
use leptos_use_document_visibility::use_document_visibility;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, BroadcastChannel, MessageEvent, VisibilityState};

use crate::state::{use_app_state, AppState, Lead};

const CHANNEL: &str = "backup-console";
const LOCK: &str = "backup-console.poll ";

thread_local! {
    /// The channel to the other tabs, while [`use_tabs`] is mounted.
    static OUT: RefCell<Option<BroadcastChannel>> = const { RefCell::new(None) };
    /// Makes this tab the one that polls, while [`use_tabs`] is mounted.
    static TAKE_OVER: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// The admin asked, in this tab, to check a stopped job again. Only the polling tab reads
/// status, and the job stopped there too: so this tab becomes the polling tab, and asks.
pub fn check_again(set_job: WriteSignal<Job>) {
    set_job.update(Job::check_again);
    let take_over = TAKE_OVER.with(|t| t.borrow().clone());
    if let Some(take_over) = take_over {
        take_over();
    }
}

/// Tells the other tabs what this tab read about `job` of the server at `base_url`. Nothing
/// when tabs do not share the polling.
pub fn share(base_url: &str, job: &Job) {
    OUT.with(|out| {
        if let Some(channel) = out.borrow().as_ref() {
            let _ = channel.post_message(&Shared::new(base_url, job).to_json().into());
        }
    });
}

/// `navigator.locks`, where the browser has it. Called through `Reflect`: web-sys binds it only
/// behind `web_sys_unstable_apis`.
fn lock_manager() -> Option<JsValue> {
    let locks = Reflect::get(&web_sys::window()?.navigator(), &"locks".into()).ok()?;
    locks.is_object().then_some(locks)
}

/// Calls `target.name(args…)`.
fn call(target: &JsValue, name: &str, args: &[&JsValue]) -> Option<JsValue> {
    let f: Function = Reflect::get(target, &name.into()).ok()?.dyn_into().ok()?;
    let args: js_sys::Array = args.iter().copied().collect();
    f.apply(target, &args).ok()
}

/// The lock this tab holds or waits for.
#[derive(Default)]
struct Claim {
    /// Counts claims: a callback of an earlier one does nothing.
    generation: u64,
    /// Resolving it releases the held lock.
    release: Option<Function>,
    /// Ends the request while it waits.
    abort: Option<AbortController>,
}

type Claims = StoredValue<Claim, LocalStorage>;

/// Gives up the lock held or waited for.
fn give_up(claims: Claims) {
    let _ = claims.try_update_value(|c| {
        c.generation += 1;
        if let Some(release) = c.release.take() {
            let _ = release.call0(&JsValue::UNDEFINED);
        }
        if let Some(abort) = c.abort.take() {
            abort.abort();
        }
    });
}

/// Asks for the polling lock of `url`: taking it from the tab holding it (`steal`), or waiting
/// for it. Once granted, this tab polls `url`; taken over by another tab, it waits again.
fn claim(state: AppState, locks: JsValue, url: String, steal: bool, claims: Claims) {
    give_up(claims);
    if state.lead.try_with_untracked(|l| *l != Lead::Follows) == Some(true) {
        let _ = state.lead.try_set(Lead::Follows);
    }
    let Some(generation) = claims.try_with_value(|c| c.generation) else { return };
    let current = move || claims.try_with_value(|c| c.generation == generation) == Some(true);
    let options = Object::new();
    if steal {
        let _ = Reflect::set(&options, &"steal".into(), &true.into());
    } else if let Ok(abort) = AbortController::new() {
        // `steal` and `signal` cannot go together; a stolen lock is granted at once anyway.
        let _ = Reflect::set(&options, &"signal".into(), &abort.signal());
        claims.update_value(|c| c.abort = Some(abort));
    }
    let polls = url.clone();
    let granted = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        if !current() {
            return JsValue::UNDEFINED; // released at once
        }
        let mut release = None;
        let held = Promise::new(&mut |resolve, _reject| release = Some(resolve));
        claims.update_value(|c| {
            c.release = release;
            c.abort = None;
        });
        let _ = state.lead.try_set(Lead::Polls(polls));
        held.into()
    });
    let Some(request) = call(&locks, "request", &[&format!("{LOCK}{url}").into(), &options, &granted]) else {
        // Refused outright: this tab cannot share the polling, so it polls on its own.
        let _ = state.lead.try_set(Lead::Alone);
        return;
    };
    // The request settles when this tab releases the lock (resolved), or rejects when another
    // tab takes it over or the wait is ended here.
    let again = locks.clone();
    let lost = Closure::once_into_js(move |_why: JsValue| {
        if current() {
            claim(state, again, url, false, claims);
        }
    });
    let _ = call(&request, "catch", &[&lost]);
}

/// Elects this tab to poll the connected server, or not, for as long as the dashboard is
/// mounted; hears what the polling tab reads.
pub fn use_tabs() {
    let state = use_app_state();
    let Some(locks) = lock_manager() else { return };
    let server = Memo::new(move |_| state.server_url());

    let claims: Claims = StoredValue::new_local(Claim::default());
    let visibility = use_document_visibility();
    let visible = move || visibility.get_untracked() != VisibilityState::Hidden;
    let hear_locks = locks.clone();
    let hear = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(told) = e.data().as_string().and_then(|text| Told::parse(&text)) else { return };
        // Only for the server shown here, and not when this tab polls it itself.
        let ours = server.try_with_untracked(|s| s.as_deref() == Some(told.server())) == Some(true);
        if !ours || state.lead.try_with_untracked(|l| !l.polls(told.server())) != Some(true) {
            return;
        }
        match told {
            Told::Read(shared) => {
                let _ = state.jobs.try_maybe_update(|j| (j.take_shared(shared.job), ()));
            }
            // A hidden tab waits for the browser to hand the lock on: it would poll at the
            // hidden pace, and a visible tab should have the lock.
            Told::Leaving(url) if visible() => claim(state, hear_locks.clone(), url, true, claims),
            Told::Leaving(_) => {}
        }
    });
    let hear = StoredValue::new_local(Some(hear));
    let open_channel = move || {
        let channel = BroadcastChannel::new(CHANNEL).ok();
        hear.with_value(|h| {
            if let (Some(c), Some(h)) = (&channel, h) {
                c.set_onmessage(Some(h.as_ref().unchecked_ref()));
            }
        });
        let opened = channel.is_some();
        OUT.with(|out| *out.borrow_mut() = channel);
        opened
    };
    let close_channel = || {
        OUT.with(|out| {
            if let Some(channel) = out.borrow_mut().take() {
                channel.set_onmessage(None);
                channel.close();
            }
        });
    };
    if !open_channel() {
        return;
    }
    state.lead.set(Lead::Follows);

    let relock = locks.clone();
    let take_locks = locks.clone();
    Effect::new(move |before: Option<(Option<String>, bool)>| {
        let url = server.get();
        let visible = visibility.get() != VisibilityState::Hidden;
        match &url {
            None => give_up(claims),
            Some(u) => {
                let same_server = before.as_ref().is_some_and(|(b, _)| b.as_ref() == Some(u));
                let came_back = same_server && visible && before.as_ref().is_some_and(|(_, was_visible)| !was_visible);
                if !same_server {
                    claim(state, locks.clone(), u.clone(), visible, claims);
                } else if came_back && state.lead.with_untracked(|l| !l.polls(u)) {
                    claim(state, locks.clone(), u.clone(), true, claims);
                }
            }
        }
        (url, visible)
    });

    TAKE_OVER.with(|t| {
        *t.borrow_mut() = Some(Rc::new(move || {
            if let Some(url) = server.get_untracked() {
                if state.lead.with_untracked(|l| !l.polls(&url)) {
                    claim(state, take_locks.clone(), url, true, claims);
                }
            }
        }))
    });

    // A page kept in the back/forward cache is frozen with whatever it holds: a frozen holder
    // of the polling lock, or a frozen listener on the channel, hung the next page of the same
    // tab in Chromium 156 (its renderer stopped answering once that page polled). So a page
    // going into the cache lets go of both, and takes them up again if it is shown from there.
    let hidden = window_event_listener(leptos::ev::pagehide, move |e| {
        if let Some(url) = server.get_untracked().filter(|u| state.lead.with_untracked(|l| l.polls(u))) {
            OUT.with(|out| out.borrow().as_ref().map(|c| c.post_message(&Told::leaving(&url).into())));
        }
        // A closing page lets go of both anyway. (Releasing the lock by hand there too made the
        // next tab's first read wait for seconds in the hand-over test, for reasons not found.)
        if e.persisted() {
            give_up(claims);
            close_channel();
        }
    });
    let shown = window_event_listener(leptos::ev::pageshow, move |e| {
        if !e.persisted() {
            return;
        }
        open_channel();
        if let Some(url) = server.get_untracked() {
            claim(state, relock.clone(), url, visible(), claims);
        }
    });

    on_cleanup(move || {
        TAKE_OVER.with(|t| t.borrow_mut().take());
        hidden.remove();
        shown.remove();
        give_up(claims);
        close_channel();
        drop(hear.try_update_value(Option::take));
    });
}
