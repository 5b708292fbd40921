//! `backup-runner` against a real Weaviate v1.39.0: retention through each object store,
//! incremental chains, failing and busy runs, and the scheduler with its metrics.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use e2e::runner::{Ran, Runner};
use e2e::storage::{ObjectStores, Store, DEFAULT_BUCKET};
use e2e::weaviate::{ApiKey, Options, Weaviate};
use serde_json::{json, Value};

fn policy(name: &str, backend: &str, more: Value) -> Value {
    let mut p = json!({"name": name, "backend": backend, "schedule": "0 2 * * *", "timeZone": "UTC"});
    for (k, v) in more.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

/// The ids the server lists for `backend` that start with `prefix`, newest first.
fn listed(wv: &Weaviate, backend: &str, prefix: &str) -> Vec<String> {
    let (s, b) = wv.rest().call("GET", &format!("/backups/{backend}"), None);
    assert_eq!(s, 200, "list {backend}: {b}");
    let mut ids: Vec<String> = b.as_array().unwrap().iter().filter_map(|i| i["id"].as_str()).filter(|id| id.starts_with(prefix)).map(String::from).collect();
    ids.sort();
    ids.reverse();
    ids
}

/// The backup folders in the store whose name starts with `prefix`.
fn stored(stores: &ObjectStores, wv: &Weaviate, backend: &str, prefix: &str) -> BTreeSet<String> {
    let keys: Vec<String> = match backend {
        "filesystem" => std::fs::read_dir(&wv.backups_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned() + "/").collect(),
        "s3" => stores.keys(Store::S3, DEFAULT_BUCKET, prefix),
        "gcs" => stores.keys(Store::Gcs, DEFAULT_BUCKET, prefix),
        "azure" => stores.keys(Store::Azure, DEFAULT_BUCKET, prefix),
        other => panic!("{other}"),
    };
    keys.iter().filter(|k| k.starts_with(prefix)).filter_map(|k| k.split('/').next()).map(String::from).collect()
}

fn ok(ran: Ran) -> Ran {
    assert_eq!(ran.code, Some(0), "{ran}");
    ran
}

fn started_id(ran: &Ran) -> String {
    ran.events("started")[0]["id"].as_str().unwrap().to_string()
}

#[test]
fn retention_on_every_backend_and_failing_and_busy_runs() {
    let t = Instant::now();
    let stores = ObjectStores::start();
    let mut env = stores.weaviate_env();
    env.push(("ENABLE_MODULES".into(), "backup-filesystem,backup-s3,backup-gcs,backup-azure".into()));
    let wv = Weaviate::start(Options { name: "runner-stores".into(), env, ..Default::default() });
    eprintln!("[runner] emulators and Weaviate up: {:.1} s", t.elapsed().as_secs_f64());
    let rest = wv.rest();
    rest.create_collection("Doc");
    rest.insert_objects("Doc", 50);
    let mut runner_env = stores.weaviate_env();
    runner_env.push(("BACKUP_FILESYSTEM_PATH".into(), wv.backups_dir.display().to_string()));
    let r = Runner::new(&wv.url, runner_env);
    let backends = ["filesystem", "s3", "gcs", "azure"];
    let mut policies: Vec<Value> = backends.iter().map(|b| policy(&format!("keep2-{b}"), b, json!({"retention": {"maxCount": 2}}))).collect();
    for b in &backends[1..] {
        policies.push(policy(&format!("inc-{b}"), b, json!({"incremental": {"fullEvery": 2}})));
    }
    policies.push(policy("broken", "filesystem", json!({"include": ["Nope"]})));
    policies.push(policy("skipper", "filesystem", json!({"onPreviousRunning": "skip"})));
    policies.push(policy("waiter", "filesystem", json!({"onPreviousRunning": "wait"})));
    r.policies(json!(policies));

    // 1. maxCount 2: three runs leave the two newest, in the bucket and in the server's list.
    for b in backends {
        let t = Instant::now();
        let name = format!("keep2-{b}");
        let prefix = format!("{name}-");
        let ids: Vec<String> = (0..3).map(|_| started_id(&ok(r.run(&["run", "--policy", &name])))).collect();
        let ids_set: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(ids_set.len(), 3, "three distinct ids: {ids:?}");
        assert_eq!(listed(&wv, b, &prefix), [ids[2].clone(), ids[1].clone()], "{b}: the server lists the two newest");
        assert_eq!(stored(&stores, &wv, b, &prefix), BTreeSet::from([ids[1].clone(), ids[2].clone()]), "{b}: the store holds the two newest");
        let (s, _) = rest.call("GET", &format!("/backups/{b}/{}", ids[0]), None);
        assert_eq!(s, 404, "{b}: the expired backup's status is gone");
        eprintln!("[runner] {b}: 3 runs and retention in {:.1} s", t.elapsed().as_secs_f64());
    }

    // No key here sees a base in the list: the runner reads it from the descriptor in each store.
    for b in &backends[1..] {
        let name = format!("inc-{b}");
        let full = ok(r.run(&["run", "--policy", &name]));
        let inc = ok(r.run(&["run", "--policy", &name]));
        assert_eq!(inc.events("started")[0]["base"], json!(started_id(&full)), "{b}: {inc}");
    }

    // The last run said what it deleted, and retention alone now finds nothing to expire.
    let plan = ok(r.run(&["retention", "--policy", "keep2-s3", "--apply"]));
    assert_eq!(plan.events.iter().filter(|e| e["verdict"] == "keep").count(), 2, "{plan}");
    assert!(plan.events("expired").is_empty(), "{plan}");

    // 3. A failing run exits 1 with the server's reason, in the event and on stderr.
    let failed = r.run(&["run", "--policy", "broken"]);
    assert_eq!(failed.code, Some(1), "{failed}");
    let error = failed.events("failed")[0]["error"].as_str().unwrap().to_string();
    assert!(error.starts_with("HTTP 422") && error.contains("Nope"), "{failed}");
    assert!(failed.stderr.contains(&error), "{failed}");
    assert!(failed.events("started").is_empty(), "{failed}");

    // 4. While another backup runs: `skip` skips, `wait` waits for it and then runs.
    // The node that just finished a backup may refuse the next for a moment ("not yet
    // released"): that is the runner's busy case too, but here it is the test's own setup.
    let other = |id: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (s, b) = rest.call("POST", "/backups/filesystem", Some(json!({"id": id})));
            if s == 200 {
                return;
            }
            eprintln!("[runner] start {id}: {s} {b}");
            assert!(Instant::now() < deadline && b.to_string().contains("not yet released"), "start {id}: {s} {b}");
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    other("other-1");
    let skipped = ok(r.run(&["run", "--policy", "skipper"]));
    assert!(skipped.events("skipped")[0]["reason"].as_str().unwrap().contains("already in progress"), "{skipped}");
    assert!(skipped.events("started").is_empty(), "{skipped}");
    assert_eq!(rest.wait_backup("filesystem", "other-1", Duration::from_secs(60))["status"], "SUCCESS");

    other("other-2");
    let t = Instant::now();
    let waited = ok(r.run(&["run", "--policy", "waiter", "--wait-timeout", "120"]));
    let names: Vec<&str> = waited.events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(names, ["waiting", "started", "succeeded"], "{waited}");
    assert_eq!(rest.wait_backup("filesystem", "other-2", Duration::from_secs(5))["status"], "SUCCESS");
    eprintln!("[runner] waited for another backup, then ran: {:.1} s", t.elapsed().as_secs_f64());
}

#[test]
fn incremental_chains_stay_whole_and_the_scheduler_fires() {
    // With an API key: the runner takes it from WEAVIATE_API_KEY (anonymous access is off).
    let key = ApiKey { key: "runner-secret-key".into(), user: "ops".into() };
    let wv = Weaviate::start(Options { name: "runner-chain".into(), api_key: Some(key.clone()), ..Default::default() });
    let rest = wv.rest();
    rest.create_collection("Doc");
    rest.insert_objects("Doc", 50);
    let r = Runner::new(&wv.url, vec![("BACKUP_FILESYSTEM_PATH".into(), wv.backups_dir.display().to_string()), ("WEAVIATE_API_KEY".into(), key.key)]);
    r.policies(json!([
        policy("chain", "filesystem", json!({"incremental": {"fullEvery": 3}, "retention": {"maxCount": 1}})),
        policy("tick", "filesystem", json!({"schedule": "*/5 * * * * *"})),
    ]));
    let base_of = |id: &str| -> Value {
        let d: Value = serde_json::from_str(&std::fs::read_to_string(wv.backups_dir.join(id).join("backup_config.json")).unwrap()).unwrap();
        d["baseBackupId"].clone()
    };

    // 2. fullEvery 3, maxCount 1: the newest's bases are kept as long as it needs them. Nobody
    // is an RBAC root user here, so the server hides every base: the runner reads them from
    // the stored descriptors.
    let mut ids = vec![];
    for run in 0..3 {
        let ran = ok(r.run(&["run", "--policy", "chain"]));
        let id = started_id(&ran);
        let expected_base = ids.last().map(|b: &String| json!(b)).unwrap_or(Value::Null);
        assert_eq!(ran.events("started")[0]["base"], expected_base, "run {run}: {ran}");
        assert!(ran.events("expired").is_empty(), "run {run}: nothing expires from a chain in use: {ran}");
        ids.push(id);
    }
    assert_eq!(base_of(&ids[1]), json!(ids[0]));
    assert_eq!(base_of(&ids[2]), json!(ids[1]));
    assert_eq!(listed(&wv, "filesystem", "chain-"), [ids[2].clone(), ids[1].clone(), ids[0].clone()]);
    let plan = ok(r.run(&["retention", "--policy", "chain"]));
    let reasons: Vec<String> = plan.events.iter().map(|e| e["reason"].as_str().unwrap().to_string()).collect();
    assert_eq!(reasons, ["kept: within retention".to_string(), format!("kept: {} builds on it", ids[2]), format!("kept: {} builds on it", ids[1])], "{plan}");

    // The fourth run is full again; the old chain then expires as a whole.
    let fourth = ok(r.run(&["run", "--policy", "chain"]));
    assert_eq!(fourth.events("started")[0]["base"], Value::Null, "{fourth}");
    let expired: BTreeSet<&str> = fourth.events("expired").iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(expired, ids.iter().map(String::as_str).collect(), "{fourth}");
    assert_eq!(listed(&wv, "filesystem", "chain-"), [started_id(&fourth)]);

    // 5. `schedule` fires a seconds schedule and reports it on /metrics; SIGTERM ends it.
    let port = e2e::free_port();
    let child = r.spawn(&["schedule", "--policy", "tick", "--metrics-addr", &format!("127.0.0.1:{port}")]);
    let deadline = Instant::now() + Duration::from_secs(40);
    let metrics = loop {
        let text = ureq::get(&format!("http://127.0.0.1:{port}/metrics")).call().ok().and_then(|r| r.into_string().ok()).unwrap_or_default();
        let last_success = text
            .lines()
            .find_map(|l| l.strip_prefix("backup_policy_last_success_timestamp_seconds{policy=\"tick\"} "))
            .and_then(|v| v.parse::<f64>().ok());
        if last_success.is_some_and(|v| v > 0.0) {
            break text;
        }
        assert!(Instant::now() < deadline, "no success on /metrics:\n{text}");
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(metrics.contains("backup_policy_runs_total{policy=\"tick\",result=\"success\"} 1"), "{metrics}");
    assert!(metrics.contains("backup_policy_overdue{policy=\"tick\"} 0"), "{metrics}");
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    let ran = Ran::of(out);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.events.last().unwrap()["event"], "stopped", "{ran}");
}
