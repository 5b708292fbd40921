//! The run command as a newcomer uses it: `scripts/run.sh` starts a real Weaviate, the console
//! and a demo policy that fires within a minute; and however its shell goes away, nothing it
//! started keeps running.

use crate::common;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};


use e2e::rest::Rest;
use e2e::{repo_root, wait_until};

/// The URL after `label` on a line the run command printed.
fn url_after(lines: &[String], label: &str) -> String {
    lines
        .iter()
        .find_map(|l| l.trim().strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
        .map(|url| url.trim_end_matches(','))
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{}", lines.join("\n")))
        .to_string()
}

fn answers(url: &str) -> bool {
    ureq::get(url).timeout(Duration::from_secs(2)).call().is_ok()
}

#[test]
fn run_sh_fires_the_demo_policy_and_stops_everything_when_its_shell_goes() {
    let mut cmd = Command::new("bash");
    cmd.arg("scripts/run.sh")
        .current_dir(repo_root())
        // The release bundle the other tests use: run.sh's own trunk build is the newcomer's.
        .env("CONSOLE_DIST", common::dist())
        // Its own group, as a terminal's job: the hang-up below reaches only the script's process.
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .stdin(Stdio::null());
    // As a terminal's shell starts it: a test run launched under `nohup`, or in the background
    // of a script, would hand it an ignored SIGHUP (a cold run here hung on that for 7 min).
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGHUP, libc::SIG_DFL);
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("start scripts/run.sh");
    // A failing test still stops what it started (the whole group, as a terminal would).
    struct Group(libc::pid_t);
    impl Drop for Group {
        fn drop(&mut self) {
            // SAFETY: signals the process group this test started.
            unsafe { libc::kill(-self.0, libc::SIGKILL) };
        }
    }
    let _group = Group(child.id() as libc::pid_t);
    let (tx, rx) = mpsc::channel();
    let out = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = vec![];
    let deadline = Instant::now() + Duration::from_secs(600);
    while !lines.iter().any(|l: &String| l.contains("Ctrl-C")) {
        assert!(Instant::now() < deadline, "run.sh printed no URLs in 10 min:\n{}", lines.join("\n"));
        if let Ok(l) = rx.recv_timeout(Duration::from_secs(1)) {
            lines.push(l);
        }
        assert!(child.try_wait().unwrap().is_none(), "run.sh ended early:\n{}", lines.join("\n"));
    }
    let weaviate = url_after(&lines, "Weaviate ");
    let console = url_after(&lines, "Console: ");
    let metrics = url_after(&lines, "metrics ");
    for url in [&console, &format!("{weaviate}/v1/meta"), &metrics] {
        wait_until(Duration::from_secs(30), &format!("{url} answers"), || answers(url));
    }

    // The demo policy fires within a minute (every minute, plus the backup's own few seconds).
    let rest = Rest::new(&weaviate);
    wait_until(Duration::from_secs(100), "a demo-… backup reaches SUCCESS", || {
        let (_, list) = rest.call("GET", "/backups/filesystem", None);
        list.as_array().into_iter().flatten().any(|b| b["id"].as_str().is_some_and(|id| id.starts_with("demo-")) && b["status"] == "SUCCESS")
    });
    wait_until(Duration::from_secs(30), "the runner's metrics show the success", || {
        let text = ureq::get(&metrics).call().ok().and_then(|r| r.into_string().ok()).unwrap_or_default();
        text.lines().any(|l| l.starts_with("backup_policy_last_success_timestamp_seconds{policy=\"demo\"}") && !l.ends_with(" 0"))
    });

    // The terminal goes away: SIGHUP to the script alone (no Ctrl-C, no cleanup code runs).
    // SAFETY: signals the child this test started and has not reaped.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGHUP) };
    wait_until(Duration::from_secs(30), "run.sh ends on its hang-up", || child.try_wait().unwrap().is_some());
    for url in [format!("{weaviate}/v1/meta"), console, metrics] {
        wait_until(Duration::from_secs(30), &format!("{url} stops answering"), || !answers(&url));
    }
}
