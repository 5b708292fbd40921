//! Shared set-up of the end-to-end tests.

use std::time::Duration;

use serde_json::json;

use e2e::browser::{form_xpath, Browser};
use e2e::repo_root;
use e2e::rest::Rest;
use e2e::static_server::StaticServer;
use e2e::weaviate::{Options, Weaviate};

/// How long a small backup or restore may take (the coordinator reports every 10 s).
pub const LONG: Duration = Duration::from_secs(90);
pub const DONE: [&str; 3] = ["SUCCESS", "FAILED", "CANCELED"];

/// The release build: `dist/`, or `$CONSOLE_DIST`.
pub fn dist() -> std::path::PathBuf {
    let dist = std::env::var("CONSOLE_DIST").map(Into::into).unwrap_or_else(|_| repo_root().join("dist"));
    assert!(dist.join("index.html").exists(), "{} has no build: run `bash scripts/build.sh`", dist.display());
    dist
}

/// Serves the release build ([`dist`]).
pub fn console() -> StaticServer {
    StaticServer::start(&dist(), "/")
}

/// A fresh anonymous Weaviate with these collections and object counts.
pub fn weaviate(name: &str, collections: &[(&str, usize)]) -> (Weaviate, Rest) {
    let wv = Weaviate::start(Options { name: name.into(), ..Default::default() });
    let rest = wv.rest();
    for (c, n) in collections {
        rest.create_collection(c);
        rest.insert_objects(c, *n);
    }
    (wv, rest)
}

/// Objects in [`slow_collection`], and the KiB of noise each carries (375 MiB in all).
pub const SLOW_OBJECTS: usize = 12_000;
pub const SLOW_KIB: usize = 32;
/// The backup of [`slow_collection`] it leaves on the server.
pub const SLOW_SEED: &str = "slow-seed";

/// Gives the server a collection `name` big enough that a backup or restore with
/// `CPUPercentage: 1` still runs when a test cancels it or reloads the page, plus its backup
/// [`SLOW_SEED`] on the `filesystem` backend.
///
/// Measured on the 2-core test machine (other builds running): making it takes ~100 s (80 s of
/// inserts, a 20 s backup), so the backup is made once per name and kept in `.work/` (a lock
/// keeps parallel test binaries from making it twice); later calls copy it in and restore it in
/// ~15 s. A backup with `CPUPercentage: 1` works 13 s on the server (16 s with
/// `BestCompression`) and reports SUCCESS after 22 s, as status changes on a 2 s + 10 s grid; a
/// restore with `CPUPercentage: 1` works ~4 s and stays TRANSFERRING for 12 s, and a cancel
/// until then ends it CANCELED.
pub fn slow_collection(rest: &Rest, name: &str) {
    let cache = repo_root().join(format!(".work/slow-seed-{name}-{SLOW_OBJECTS}x{SLOW_KIB}"));
    std::fs::create_dir_all(&cache).unwrap();
    let lock = std::fs::File::create(cache.join("lock")).unwrap();
    // SAFETY: flock on a descriptor this function owns; closing it (at return) unlocks.
    assert_eq!(unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) }, 0);
    let (code, meta) = rest.call("GET", "/meta", None);
    assert_eq!(code, 200, "{meta}");
    let backups_dir = std::path::PathBuf::from(meta["modules"]["backup-filesystem"]["backupsPath"].as_str().expect("backupsPath"));
    let kept = cache.join(SLOW_SEED);
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        let ok = std::process::Command::new("cp").arg("-r").arg(from).arg(to).status().unwrap().success();
        assert!(ok, "cp -r {} {}", from.display(), to.display());
    };
    if kept.exists() {
        copy(&kept, &backups_dir);
        let (code, body) = rest.call("POST", &format!("/backups/filesystem/{SLOW_SEED}/restore"), Some(json!({})));
        assert_eq!(code, 200, "{body}");
        let done = rest.wait_restore("filesystem", SLOW_SEED, LONG);
        assert_eq!(done["status"], "SUCCESS", "{done}");
    } else {
        rest.create_collection(name);
        let noise = json!({"name": "noise", "dataType": ["text"], "indexFilterable": false, "indexSearchable": false});
        let (code, body) = rest.call("POST", &format!("/schema/{name}/properties"), Some(noise));
        assert_eq!(code, 200, "{body}");
        rest.insert_noise(name, SLOW_OBJECTS, SLOW_KIB);
        rest.backup("filesystem", json!({"id": SLOW_SEED}), LONG);
        let partial = cache.join("partial");
        let _ = std::fs::remove_dir_all(&partial);
        copy(&backups_dir.join(SLOW_SEED), &partial);
        std::fs::rename(&partial, &kept).unwrap();
    }
}

/// Opens the console at `site` pointed at `weaviate` (query config), confirms the server the
/// link names, and waits until it has connected; returns the create form's XPath.
pub async fn open(b: &Browser, site: &str, weaviate: &str) -> String {
    b.follow_link(&format!("{site}?weaviate={weaviate}")).await;
    let create = form_xpath("Create backup");
    b.wait_for(&create, Duration::from_secs(30)).await;
    create
}

/// Submits the restore form `form` and confirms what it will do (a restore always asks).
pub async fn start_restore(b: &Browser, form: &str) {
    b.click_button(form, "Start restore").await;
    b.click_button(form, "Confirm restore").await;
}

/// Opens the "Advanced" section of a form.
pub async fn open_advanced(b: &Browser, form: &str) {
    let summary = b.wait_for(&format!("{form}//details/summary"), Duration::from_secs(5)).await;
    summary.click().await.unwrap();
}

/// Serious or critical axe-core violations in the current document (or frame).
pub async fn axe(b: &Browser) -> Vec<String> {
    let src = std::fs::read_to_string(repo_root().join(".tools/test/node_modules/axe-core/axe.min.js")).expect("axe-core (scripts/setup.sh)");
    b.driver.execute(&src, vec![]).await.unwrap();
    let r = b
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(r.json().clone()).unwrap()
}

/// The text of the job's row (`tr[data-job]`), which must be there.
pub async fn row_text(b: &Browser, job: &str) -> String {
    b.driver.find(thirtyfour::By::Css(format!("tr[data-job='{job}']"))).await.unwrap().text().await.unwrap()
}

/// The seed workflow's first steps, through the forms: back up `Article` alone as `inc-1` →
/// SUCCESS, its row naming Article and not Paragraph; then delete Article over REST and restore
/// it → SUCCESS, with its `objects` back.
pub async fn include_then_restore_after_delete(b: &Browser, rest: &Rest, objects: u64) {
    let (create, restore) = (form_xpath("Create backup"), form_xpath("Restore backup"));
    b.fill(&create, "Backup ID", "inc-1").await;
    b.fill(&create, "Include collections", "Article").await;
    b.click_button(&create, "Start backup").await;
    let job = "backup:filesystem:inc-1";
    assert_eq!(b.wait_job_status(job, &DONE, LONG).await, "SUCCESS", "{:?}", b.job_cell(job, "error").await);
    let text = row_text(b, job).await;
    assert!(text.contains("Article") && !text.contains("Paragraph"), "{text}");

    rest.delete_collection("Article");
    b.fill(&restore, "Backup ID", "inc-1").await;
    start_restore(b, &restore).await;
    let rjob = "restore:filesystem:inc-1";
    assert_eq!(b.wait_job_status(rjob, &DONE, LONG).await, "SUCCESS", "{:?}", b.job_cell(rjob, "error").await);
    assert_eq!(rest.object_count("Article"), objects);
}
