use backup_core::job::{JobKey, JobKind};
use backup_core::policy::export::{manifest, Manifest, RunnerSetup};
use backup_core::policy::retention::{Plan, Verdict};
use backup_core::policy::state::{next_base, Base};
use backup_core::policy::{PoliciesFile, Policy};
use backup_core::policy_view::{age, at_ms, upcoming, Utc};
use backup_core::route::Route;
use backup_core::format::human_size_gib;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::book::{Entry, PolicyBook, Standing};
use super::intl_zone::zone;
use super::policy_table::ms;
use crate::components::submit::{settle, SubmitRow, SubmitState};
use crate::components::{data_url, CopyBlock};
use crate::local_date_time;
use crate::state::use_app_state;
use crate::now_ms;
use crate::components::variant::{Action, Notice};

/// Backups and retention verdicts listed on the page; older ones are summed up in a line.
const SHOWN: usize = 100;

/// How many upcoming runs the page and the editor preview.
pub(super) const NEXT_RUNS: usize = 5;

/// The next runs of `entry` with the ids they will get, as list items.
pub(super) fn next_runs_view(policy: &Policy, checked: &backup_core::policy::Checked, now_ms: u64) -> AnyView {
    let runs = match zone(&policy.time_zone) {
        Some(tz) => upcoming(policy, checked, &tz, at_ms(now_ms), NEXT_RUNS),
        None => upcoming(policy, checked, &Utc, at_ms(now_ms), NEXT_RUNS),
    };
    view! {
        <ol class="next-runs">
            {runs.into_iter().map(|(at, id)| view! { <li>{local_date_time(ms(at))}" → "<span class="mono">{id}</span></li> }).collect::<Vec<_>>()}
        </ol>
    }
    .into_any()
}

/// One policy: how it stands, its backups, its next runs, what retention would expire and
/// why, "Run now", and its exports (policies file, CronJob, crontab, systemd).
#[component]
pub fn PolicyPage(
    /// The console's policies.
    book: PolicyBook,
    /// The policy shown.
    name: String,
) -> impl IntoView {
    let entry = {
        let name = name.clone();
        Memo::new(move |_| book.entry(&name))
    };
    let standing = {
        let name = name.clone();
        Memo::new(move |_| book.standing.with(|s| s.iter().find(|(n, _)| *n == name).map(|(_, s)| s.clone())))
    };
    move || match entry.get() {
        None => view! {
            <section class="card" aria-labelledby="policy-h">
                <h2 id="policy-h" tabindex="-1">"No such policy"</h2>
                <p>{format!("This console has no policy named {name}.")}" "<a href=Route::Policies.to_hash()>"All policies"</a></p>
            </section>
        }
        .into_any(),
        Some(e) => view! { <Page book entry=e standing /> }.into_any(),
    }
}

/// What a policy's page shows once the policy is found.
#[component]
fn Page(book: PolicyBook, entry: Entry, standing: Memo<Option<Standing>>) -> impl IntoView {
    let state = use_app_state();
    let Entry { policy, from_config, checked } = entry;
    let name = policy.name.clone();
    let editable = !from_config && !state.read_only();
    let confirm_delete = RwSignal::new(false);
    let delete = {
        let name = name.clone();
        move |_| {
            book.kept.update(|k| k.remove(&name));
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_hash(&Route::Policies.to_hash());
            }
        }
    };
    let head = view! {
        <div class="policies-head">
            <h2 id="policy-h" tabindex="-1">"Policy "<span class="mono">{name.clone()}</span></h2>
            {from_config.then(|| view! { <span class="badge">"from config.json"</span> })}
            <a class=Action::Link.class() href=Route::Policies.to_hash()>"All policies"</a>
            {editable.then(|| view! {
                <a class=Action::Link.class() href=Route::EditPolicy(Some(name.clone())).to_hash()>"Edit"</a>
                <button type="button" class=Action::Secondary.class() on:click=move |_| confirm_delete.set(true)>"Delete"</button>
            })}
        </div>
        {move || confirm_delete.get().then(|| view! {
            <div class=Notice::Warning.class() role="alert">
                <p>"Delete this policy from this browser? Its backups stay on the server; a runner that has it in its own policies file keeps running it."</p>
                <div class="actions">
                    <button type="button" on:click=delete.clone()>"Delete policy"</button>
                    <button type="button" class=Action::Secondary.class() on:click=move |_| confirm_delete.set(false)>"Keep"</button>
                </div>
            </div>
        })}
    };
    let checked = match checked {
        Ok(c) => c,
        Err(errs) => {
            return view! {
                <section class="card policy" aria-labelledby="policy-h">
                    {head}
                    <div class=Notice::Error.class() role="alert">
                        <p>"This policy cannot run in this browser:"</p>
                        <ul>{errs.iter().map(|(_, m)| view! { <li>{m.to_string()}</li> }).collect::<Vec<_>>()}</ul>
                    </div>
                </section>
            }
            .into_any();
        }
    };

    // Run now: an ordinary create, with the id the template gives this second (UTC).
    let submit = SubmitState::new();
    let started = RwSignal::new(None::<JobKey>);
    let refused = RwSignal::new(None::<String>);
    let run = {
        let (policy, checked) = (policy.clone(), checked.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(conn) = state.connection.get_untracked() else { return };
            if !submit.begin() {
                return;
            }
            refused.set(None);
            started.set(None);
            let members = standing.with_untracked(|s| s.as_ref().map(|s| s.members.clone()).unwrap_or_default());
            let base = next_base(&policy, &members);
            match policy.create_request(&checked, at_ms(now_ms()), base.as_deref(), conn.caps) {
                Err(errs) => refused.set(Some(errs.iter().map(|(_, m)| m.to_string()).collect::<Vec<_>>().join(" "))),
                Ok((req, location)) => {
                    submit.busy.set(true);
                    let backend = policy.backend.clone();
                    spawn_local(async move {
                        let key = JobKey { kind: JobKind::Backup, backend: backend.clone(), id: req.id.clone() };
                        let outcome = settle(&conn, key.clone(), location, conn.client.create_backup(&backend, &req)).await;
                        if submit.finish(state, outcome) {
                            let _ = started.try_set(Some(key));
                        }
                    });
                }
            }
        }
    };

    let facts = {
        let policy = policy.clone();
        move || {
            let now = at_ms(book.now.get());
            standing.get().map(|s| {
                let row = s.row;
                let hours = row.state.freshness.num_minutes() as f64 / 60.0;
                let selection = match (policy.include.is_empty(), policy.exclude.is_empty()) {
                    (true, true) => "every collection".to_string(),
                    (false, _) => format!("only {}", policy.include.join(", ")),
                    (true, false) => format!("all but {}", policy.exclude.join(", ")),
                };
                view! {
                    <dl class="facts">
                        <dt>"State"</dt><dd class=format!("policy-state {}", row.state.health.as_str()) data-col="state">{row.state.health.as_str()}</dd>
                        <dt>"Schedule"</dt><dd><code>{row.schedule.clone()}</code>" — "{row.described.clone()}{format!(" ({})", row.time_zone)}</dd>
                        <dt>"Backs up"</dt><dd>{selection}{format!(" on {}", row.backend)}</dd>
                        <dt>"Ids"</dt><dd class="mono">{policy.id_template.clone()}</dd>
                        <dt>"Retention"</dt><dd>{row.retention.clone()}</dd>
                        <dt>"Freshness"</dt><dd>{format!("a success at most {hours:.1} h old{}", if policy.freshness.is_none() { " (twice the schedule's interval)" } else { "" })}</dd>
                        <dt>"Last success"</dt><dd>{age(row.state.last_success.as_ref().map(|m| m.at()), now)}</dd>
                        <dt>"Last failure"</dt><dd class="server-text">{row.last_failure().unwrap_or_else(|| "none".into())}</dd>
                        <dt>"Backups"</dt><dd>{format!("{} succeeded, {} failed", row.state.succeeded, row.state.failed)}</dd>
                    </dl>
                }
            })
        }
    };

    let backend = policy.backend.clone();
    let backups = move || {
        standing.with(|s| {
            let members = s.as_ref().map(|s| s.members.as_slice()).unwrap_or_default();
            if members.is_empty() {
                return view! { <p class="empty">"No backup of this policy is listed yet."</p> }.into_any();
            }
            let rest = members.len().saturating_sub(SHOWN);
            view! {
                <table aria-label="Backups of this policy">
                    <thead><tr><th scope="col">"ID"</th><th scope="col">"Status"</th><th scope="col">"Finished"</th><th scope="col">"Built on"</th><th scope="col">"Size"</th></tr></thead>
                    <tbody>
                        {members.iter().take(SHOWN).map(|m| {
                            let key = JobKey { kind: JobKind::Backup, backend: backend.clone(), id: m.id.clone() };
                            view! {
                                <tr data-member=m.id.clone()>
                                    <td><a class="mono" href=Route::Job(key).to_hash()>{m.id.clone()}</a></td>
                                    <td>{m.status.as_str().to_string()}</td>
                                    <td>{m.finished.map(|t| local_date_time(ms(t))).unwrap_or_else(|| "—".into())}</td>
                                    <td>{match &m.base { Base::Full => "full".to_string(), Base::On(b) => b.clone(), Base::Unknown => "not shown to this key".into() }}</td>
                                    <td>{m.size_gib.map(human_size_gib).unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
                {(rest > 0).then(|| view! { <p class="help">{format!("and {rest} older")}</p> })}
            }
            .into_any()
        })
    };

    let retention = {
        let policy = policy.clone();
        move || {
            let now = at_ms(book.now.get());
            standing.with(|s| {
                let members = s.as_ref().map(|s| s.members.as_slice()).unwrap_or_default();
                let plan = Plan::of(&policy, members, now);
                let expiring = plan.expired().count();
                let intro = match (policy.retention.is_unset(), expiring) {
                    (true, _) => "No retention is set: every backup is kept.".to_string(),
                    (false, 0) => "Nothing expires now.".to_string(),
                    (false, n) => format!("{n} would expire now (backup-runner deletes them; the console never deletes)."),
                };
                // What expires first, then what is kept and why.
                let mut items: Vec<_> = plan.items.iter().collect();
                items.sort_by_key(|(_, v)| !matches!(v, Verdict::Expire(_)));
                view! {
                    <p class="help">{intro}</p>
                    <ul class="retention-plan">
                        {items.into_iter().take(SHOWN).map(|(m, v)| {
                            let expires = matches!(v, Verdict::Expire(_));
                            view! { <li class:expires=expires data-member=m.id.clone()><span class="mono">{m.id.clone()}</span>" — "{v.reason()}</li> }
                        }).collect::<Vec<_>>()}
                    </ul>
                }
            })
        }
    };

    let exports = {
        let (policy, checked) = (policy.clone(), checked.clone());
        move || {
            let file = PoliciesFile::new(vec![policy.clone()]).to_json();
            let setup = RunnerSetup { weaviate_url: state.server_url().unwrap_or_default(), ..RunnerSetup::default() };
            let download = format!("{}.policies.json", policy.name);
            view! {
                <h4>"Policies file"</h4>
                <a class=Action::Link.class() download=download href=data_url("application/json", &file)>"Download policies file"</a>
                <CopyBlock label="Copy policies file" name="policies-file" text=file />
                {Manifest::ALL.into_iter().map(|kind| {
                    let (title, label) = match kind {
                        Manifest::CronJob => ("Kubernetes CronJob", "Copy CronJob"),
                        Manifest::Crontab => ("crontab", "Copy crontab"),
                        Manifest::Systemd => ("systemd timer", "Copy systemd units"),
                    };
                    view! {
                        <h4>{title}</h4>
                        {match manifest(&policy, &checked, kind, &setup) {
                            Ok(text) => view! { <CopyBlock label name=kind.as_str() text /> }.into_any(),
                            Err(why) => view! { <p class="help">{why}</p> }.into_any(),
                        }}
                    }
                }).collect::<Vec<_>>()}
            }
        }
    };

    let next = {
        let (policy, checked) = (policy.clone(), checked.clone());
        move || (!policy.paused).then(|| next_runs_view(&policy, &checked, book.now.get()))
    };
    let paused = policy.paused;
    view! {
        <section class="card policy" aria-labelledby="policy-h">
            {head}
            {facts}
            <Show when=move || state.connected() && !state.read_only()>
                <form class="run-now" on:submit=run.clone() novalidate>
                    <SubmitRow label="Run now" submit />
                    {move || refused.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    {move || started.get().map(|key| view! {
                        <p class="notice" role="status">"Started "<a class="mono" href=Route::Job(key.clone()).to_hash()>{key.id.clone()}</a>": it is in the Jobs table."</p>
                    })}
                </form>
            </Show>
            <h3>"Next runs"</h3>
            {move || if paused { view! { <p class="help">"Paused: no run is scheduled."</p> }.into_any() } else { next().into_any() }}
            <h3>"Backups"</h3>
            {backups}
            <h3>"Retention preview"</h3>
            {retention}
            <h3>"Export"</h3>
            <p class="help">"Run this policy unattended with backup-runner: the policies file, and what schedules the runner."</p>
            {exports}
        </section>
    }
    .into_any()
}
