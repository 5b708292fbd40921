use backup_core::policy::{Schedule, DEFAULT_TEMPLATE};
use backup_core::policy::template::IdTemplate;
use backup_core::policy::Checked;
use backup_core::policy_view::PolicyForm;
use backup_core::route::Route;
use backup_core::validate::{Field, FieldErrors};
use leptos::prelude::*;

use super::book::PolicyBook;
use super::intl_zone::{browser_zone, zone_known};
use super::policy_page::next_runs_view;
use crate::components::TextField;
use crate::now_ms;
use crate::state::use_app_state;
use crate::components::variant::Action;

/// One signal per editor field (see [`PolicyForm`]).
#[derive(Clone, Copy)]
struct Inputs {
    name: RwSignal<String>,
    backend: RwSignal<String>,
    schedule: RwSignal<String>,
    time_zone: RwSignal<String>,
    id_template: RwSignal<String>,
    include: RwSignal<String>,
    exclude: RwSignal<String>,
    cpu: RwSignal<String>,
    compression: RwSignal<String>,
    bucket: RwSignal<String>,
    path: RwSignal<String>,
    full_every: RwSignal<String>,
    max_count: RwSignal<String>,
    min_count: RwSignal<String>,
    expire_after: RwSignal<String>,
    freshness: RwSignal<String>,
    on_previous_running: RwSignal<String>,
    paused: RwSignal<bool>,
}

impl Inputs {
    fn new(f: PolicyForm) -> Inputs {
        Inputs {
            name: RwSignal::new(f.name),
            backend: RwSignal::new(f.backend),
            schedule: RwSignal::new(f.schedule),
            time_zone: RwSignal::new(f.time_zone),
            id_template: RwSignal::new(f.id_template),
            include: RwSignal::new(f.include),
            exclude: RwSignal::new(f.exclude),
            cpu: RwSignal::new(f.cpu),
            compression: RwSignal::new(f.compression),
            bucket: RwSignal::new(f.bucket),
            path: RwSignal::new(f.path),
            full_every: RwSignal::new(f.full_every),
            max_count: RwSignal::new(f.max_count),
            min_count: RwSignal::new(f.min_count),
            expire_after: RwSignal::new(f.expire_after),
            freshness: RwSignal::new(f.freshness),
            on_previous_running: RwSignal::new(f.on_previous_running),
            paused: RwSignal::new(f.paused),
        }
    }

    /// The form as typed (tracked: the preview and the messages follow every keystroke).
    fn form(self) -> PolicyForm {
        PolicyForm {
            name: self.name.get(),
            backend: self.backend.get(),
            schedule: self.schedule.get(),
            time_zone: self.time_zone.get(),
            id_template: self.id_template.get(),
            include: self.include.get(),
            exclude: self.exclude.get(),
            cpu: self.cpu.get(),
            compression: self.compression.get(),
            bucket: self.bucket.get(),
            path: self.path.get(),
            full_every: self.full_every.get(),
            max_count: self.max_count.get(),
            min_count: self.min_count.get(),
            expire_after: self.expire_after.get(),
            freshness: self.freshness.get(),
            on_previous_running: self.on_previous_running.get(),
            paused: self.paused.get(),
        }
    }
}

/// "New policy" and "Edit": every field of a policy, checked by the runner's own rules
/// (`Policy::validate`) plus the editor's, every problem at its field at once before anything is
/// saved, and a live preview of the next runs and the ids they will get. Saved in this browser
/// for the connected server.
#[component]
pub fn PolicyEditor(
    /// The console's policies.
    book: PolicyBook,
    /// The policy to change; `None` for a new one.
    editing: Option<String>,
) -> impl IntoView {
    let state = use_app_state();
    let existing = editing.as_deref().and_then(|n| book.entry(n));
    if state.read_only() {
        return view! {
            <section class="card" aria-labelledby="editor-h">
                <h2 id="editor-h" tabindex="-1">"Policies are read-only here"</h2>
                <p>"This console is read-only (readOnly in its configuration). "<a href=Route::Policies.to_hash()>"All policies"</a></p>
            </section>
        }
        .into_any();
    }
    // A policy from config.json is the deployment's: it is changed there, not here.
    if let Some(e) = existing.as_ref().filter(|e| e.from_config) {
        return view! {
            <section class="card" aria-labelledby="editor-h">
                <h2 id="editor-h" tabindex="-1">"Edit policy"</h2>
                <p>{format!("{} comes from config.json: change it there.", e.policy.name)}" "<a href=Route::Policy(e.policy.name.clone()).to_hash()>"Back to the policy"</a></p>
            </section>
        }
        .into_any();
    }
    let backends = Memo::new(move |_| state.connection.with(|c| c.as_ref().map(|c| c.backends.clone()).unwrap_or_default()));
    let start = existing.as_ref().map(|e| PolicyForm::of(&e.policy)).unwrap_or_else(|| PolicyForm {
        schedule: "0 2 * * *".into(),
        time_zone: browser_zone(),
        id_template: DEFAULT_TEMPLATE.into(),
        backend: state.config.with_untracked(|c| c.default_backend.clone()).filter(|b| backends.get_untracked().contains(b)).or_else(|| backends.get_untracked().first().cloned()).unwrap_or_default(),
        on_previous_running: "skip".into(),
        ..PolicyForm::default()
    });
    let inputs = Inputs::new(start);
    let editing = StoredValue::new(existing.map(|e| e.policy.name));
    // Messages appear once "Save" was pressed, then follow the typing.
    let tried = RwSignal::new(false);
    let checked = Memo::new(move |_| {
        let caps = state.connection.with(|c| c.as_ref().map(|c| c.caps));
        let taken: Vec<String> = book.entries.with(|e| e.iter().map(|e| e.policy.name.clone()).collect());
        inputs.form().check(caps, &zone_known, editing.get_value().as_deref(), &taken)
    });
    let errors = Memo::new(move |_| if tried.get() { checked.with(|c| c.as_ref().err().cloned()).unwrap_or_default() } else { FieldErrors::default() });
    let error = move |f: Field| Signal::derive(move || errors.with(|e| e.get(f).map(str::to_string)));

    // The preview needs only a schedule, a template and a known zone.
    let preview = move || {
        let (schedule, template, zone, name) = (inputs.schedule.get(), inputs.id_template.get(), inputs.time_zone.get(), inputs.name.get());
        let parts = Schedule::parse(&schedule).ok().zip(IdTemplate::parse(&template).ok()).filter(|_| zone_known(&zone));
        match parts {
            Some((schedule, template)) => {
                let mut p = backup_core::policy::Policy::new(name.trim(), "", "", zone.trim());
                if p.name.is_empty() {
                    p.name = "policy".into();
                }
                view! {
                    <p class="help">{schedule.describe()}</p>
                    {next_runs_view(&p, &Checked { schedule, template }, now_ms())}
                }
                .into_any()
            }
            None => view! { <p class="help">"The next runs show once the schedule, the time zone and the id template are valid."</p> }.into_any(),
        }
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let Ok((policy, _)) = checked.get_untracked() else {
            // Every message is on its field now; the first one takes the focus.
            crate::focus_next_frame(".policy-editor [aria-invalid=true]");
            return;
        };
        let name = policy.name.clone();
        book.kept.update(|k| k.put(editing.get_value().as_deref(), policy));
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(&Route::Policy(name).to_hash());
        }
    };
    let title = if editing.get_value().is_some() { "Edit policy" } else { "New policy" };
    let backend_error = error(Field::Backend);
    view! {
        <form class="card policy-editor" aria-labelledby="editor-h" on:submit=save novalidate>
            <h2 id="editor-h" tabindex="-1">{title}</h2>
            <p class="help">"Saved in this browser for this server. The same rules as backup-runner's: export the policy from its page to run it there."</p>
            <TextField id="policy-name" label="Name" value=inputs.name error=error(Field::Name) placeholder="nightly"
                help="Part of every backup id: lowercase letters, digits, '_' and '-'." />
            <div class="field">
                <label for="policy-backend">"Backend"</label>
                <select id="policy-backend" prop:value=move || inputs.backend.get() on:change=move |ev| inputs.backend.set(event_target_value(&ev))
                    aria-invalid=move || backend_error.get().map(|_| "true")>
                    <For each=move || backends.get() key=|b| b.clone() let:b>
                        <option value=b.clone()>{b.clone()}</option>
                    </For>
                </select>
                {move || backend_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <TextField id="policy-schedule" label="Schedule (cron)" value=inputs.schedule error=error(Field::Schedule) placeholder="0 2 * * *"
                help="minute hour day-of-month month day-of-week, e.g. 0 2 * * * (every day at 02:00), or @daily." />
            <TextField id="policy-zone" label="Time zone" value=inputs.time_zone error=error(Field::TimeZone) placeholder="Europe/Berlin"
                help="The wall clock the schedule is read on: an IANA name, or UTC." />
            <TextField id="policy-template" label="Id template" value=inputs.id_template error=error(Field::IdTemplate)
                help="With {policy}, {yyyymmdd} and {hhmmss} (the run's start in UTC)." />
            <div class="preview" aria-live="polite">
                <h3>"Next runs"</h3>
                {preview}
            </div>
            <TextField id="policy-include" label="Include collections" value=inputs.include error=error(Field::Include)
                help="Comma- or space-separated, * and ? allowed (Weaviate 1.36+); empty means all." />
            <TextField id="policy-exclude" label="Exclude collections" value=inputs.exclude error=error(Field::Exclude) help="Use either include or exclude." />
            <TextField id="policy-max" label="Keep at most (maxCount)" value=inputs.max_count error=error(Field::Retention) help="Successful backups kept; empty: no limit." />
            <TextField id="policy-min" label="Keep at least (minCount)" value=inputs.min_count error=Signal::stored(None::<String>) help="Kept whatever their age." />
            <TextField id="policy-expire" label="Expire after (expireAfter)" value=inputs.expire_after error=Signal::stored(None::<String>) placeholder="30d" help="e.g. 30d, 12h, 2w; empty: never by age." />
            <TextField id="policy-freshness" label="Freshness" value=inputs.freshness error=error(Field::Freshness) placeholder="36h"
                help="How old the last success may get before the policy is overdue; empty: twice the schedule's interval." />
            <details class="advanced" prop:open=move || errors.with(|e| [Field::Incremental, Field::Cpu, Field::Compression, Field::Bucket, Field::Path].iter().any(|f| e.get(*f).is_some()))>
                <summary>"Advanced"</summary>
                <TextField id="policy-full-every" label="Incremental: a full backup every … runs" value=inputs.full_every error=error(Field::Incremental) help="Empty: every run is a full backup (incremental needs Weaviate 1.37+)." />
                <TextField id="policy-cpu" label="CPU %" value=inputs.cpu error=error(Field::Cpu) />
                <TextField id="policy-compression" label="Compression" value=inputs.compression error=error(Field::Compression) placeholder="DefaultCompression" />
                <TextField id="policy-bucket" label="Bucket" value=inputs.bucket error=error(Field::Bucket) />
                <TextField id="policy-path" label="Path" value=inputs.path error=error(Field::Path) />
                <div class="field">
                    <label for="policy-overlap">"When a backup is already running"</label>
                    <select id="policy-overlap" prop:value=move || inputs.on_previous_running.get() on:change=move |ev| inputs.on_previous_running.set(event_target_value(&ev))>
                        <option value="skip">"skip this run"</option>
                        <option value="wait">"wait for it, then run"</option>
                    </select>
                </div>
                <div class="field checkbox">
                    <label><input type="checkbox" prop:checked=move || inputs.paused.get() on:change=move |ev| inputs.paused.set(event_target_checked(&ev)) />" Paused"</label>
                </div>
            </details>
            <div class="actions">
                <button type="submit">"Save policy"</button>
                <a class=Action::Link.class() href=move || editing.get_value().map_or(Route::Policies, Route::Policy).to_hash()>"Cancel"</a>
            </div>
            {move || (!errors.with(FieldErrors::is_empty)).then(|| view! {
                <p class="field-error" role="alert">{format!("Nothing was saved: {} to fix.", match errors.with(|e| e.iter().count()) { 1 => "1 field".to_string(), n => format!("{n} fields") })}</p>
            })}
        </form>
    }
    .into_any()
}
