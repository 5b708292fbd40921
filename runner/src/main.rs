//! `backup-runner`: runs the Backup Console's backup policies against Weaviate (argument parsing
//! and dispatch; the work is in the modules).

mod metrics;
mod run;
mod schedule;
mod store;
mod weaviate;

use std::process::ExitCode;
use std::time::Duration;

use backup_core::policy::export::{manifest, Manifest, RunnerSetup};
use lexopt::prelude::*;

const USAGE: &str = "\
usage: backup-runner <command> [options]

commands:
  run --policy NAME             start the policy's backup now, wait for it, apply retention
  retention --policy NAME       print the retention plan; --apply deletes the expired backups
  schedule                      run every non-paused policy when due; serve /metrics
  export --policy NAME --as cronjob|crontab|systemd

options:
  --file PATH            policies file (default policies.json)
  --url URL              Weaviate (default $WEAVIATE_URL)
  --api-key-file PATH    API key (default $WEAVIATE_API_KEY; none: anonymous)
  --timeout SECS         run: longest wait for the backup (default 21600)
  --wait-timeout SECS    run: longest wait for another backup (onPreviousRunning: wait; default 3600)
  --metrics-addr ADDR    schedule: serve metrics on ADDR, e.g. 127.0.0.1:9464
  --policy NAME          schedule: only this policy
  --image IMAGE          export: the runner's container image (cronjob)
  --secret NAME          export: the Secret with WEAVIATE_API_KEY and storage credentials (cronjob)
  --config-map NAME      export: the ConfigMap holding policies.json (cronjob)
  --env-file PATH        export: NAME=value file with the same (crontab, systemd)

Events are JSON lines on stdout; a failed run exits 1 (its reason on stderr too), bad usage 2.
Retention deletes through the object store, configured by the environment Weaviate's backup
module reads (BACKUP_FILESYSTEM_PATH, BACKUP_S3_*, AWS_*, BACKUP_GCS_*, BACKUP_AZURE_*, AZURE_STORAGE_*).";

#[derive(Debug, Default, PartialEq)]
struct Args {
    command: String,
    policy: Option<String>,
    file: String,
    url: Option<String>,
    api_key_file: Option<String>,
    apply: bool,
    format: Option<String>,
    metrics_addr: Option<String>,
    image: Option<String>,
    secret: Option<String>,
    config_map: Option<String>,
    env_file: Option<String>,
    timeout: Option<u64>,
    wait_timeout: Option<u64>,
}

fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Args, String> {
    let mut p = lexopt::Parser::from_args(args);
    let mut a = Args { file: "policies.json".into(), ..Default::default() };
    let text = |v: std::ffi::OsString| v.into_string().map_err(|_| "an argument is not UTF-8".to_string());
    let secs = |v: String, opt: &str| v.parse::<u64>().ok().filter(|s| *s > 0).ok_or(format!("{opt} takes a number of seconds, not {v:?}"));
    while let Some(arg) = p.next().map_err(|e| e.to_string())? {
        match arg {
            Value(v) if a.command.is_empty() => a.command = text(v)?,
            Long("policy") => a.policy = Some(text(p.value().map_err(|e| e.to_string())?)?),
            Long("file") => a.file = text(p.value().map_err(|e| e.to_string())?)?,
            Long("url") => a.url = Some(text(p.value().map_err(|e| e.to_string())?)?),
            Long("api-key-file") => a.api_key_file = Some(text(p.value().map_err(|e| e.to_string())?)?),
            Long("apply") => a.apply = true,
            Long("as") => a.format = Some(text(p.value().map_err(|e| e.to_string())?)?),
            Long("metrics-addr") => a.metrics_addr = Some(text(p.value().map_err(|e| e.to_string())?)?),
            Long("image") => a.image = Some(text(p.value().map_err(|e| e.to_string())?)?),
            Long("secret") => a.secret = Some(text(p.value().map_err(|e| e.to_string())?)?),
            Long("config-map") => a.config_map = Some(text(p.value().map_err(|e| e.to_string())?)?),
            Long("env-file") => a.env_file = Some(text(p.value().map_err(|e| e.to_string())?)?),
            Long("timeout") => a.timeout = Some(secs(text(p.value().map_err(|e| e.to_string())?)?, "--timeout")?),
            Long("wait-timeout") => a.wait_timeout = Some(secs(text(p.value().map_err(|e| e.to_string())?)?, "--wait-timeout")?),
            Long("help") | Short('h') => a.command = "help".into(),
            other => return Err(other.unexpected().to_string()),
        }
    }
    let allowed: &[&str] = match a.command.as_str() {
        "run" => &["policy", "timeout", "wait-timeout"],
        "retention" => &["policy", "apply"],
        "schedule" => &["policy", "metrics-addr", "timeout", "wait-timeout"],
        "export" => &["policy", "as", "image", "secret", "config-map", "env-file"],
        "help" => return Ok(a),
        "" => return Err("name a command: run, retention, schedule or export".into()),
        other => return Err(format!("unknown command {other:?}: use run, retention, schedule or export")),
    };
    let given = [
        ("apply", a.apply),
        ("as", a.format.is_some()),
        ("metrics-addr", a.metrics_addr.is_some()),
        ("image", a.image.is_some()),
        ("secret", a.secret.is_some()),
        ("config-map", a.config_map.is_some()),
        ("env-file", a.env_file.is_some()),
        ("timeout", a.timeout.is_some()),
        ("wait-timeout", a.wait_timeout.is_some()),
    ];
    if let Some((opt, _)) = given.iter().find(|(o, set)| *set && !allowed.contains(o)) {
        return Err(format!("--{opt} does not apply to {}", a.command));
    }
    if a.command != "schedule" && a.policy.is_none() {
        return Err(format!("{} needs --policy NAME", a.command));
    }
    if a.command == "export" && a.format.is_none() {
        return Err("export needs --as cronjob, crontab or systemd".into());
    }
    Ok(a)
}

fn connect(a: &Args) -> Result<weaviate::Weaviate, String> {
    let url = a.url.clone().or_else(|| std::env::var("WEAVIATE_URL").ok()).ok_or("Give Weaviate's URL with --url or WEAVIATE_URL.")?;
    let key = match &a.api_key_file {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| format!("--api-key-file {path}: {e}"))?.trim().to_string()),
        None => std::env::var("WEAVIATE_API_KEY").ok(),
    }
    .filter(|k| !k.is_empty());
    weaviate::Weaviate::new(&url, key)
}

fn policy(a: &Args) -> Result<(Vec<backup_core::policy::Policy>, Option<backup_core::policy::Policy>), String> {
    let file = run::load(&a.file)?;
    let chosen = match &a.policy {
        Some(name) => Some(file.get(name).cloned().ok_or_else(|| format!("{}: no policy named {name:?}", a.file))?),
        None => None,
    };
    Ok((file.policies, chosen))
}

/// Where the exported job finds its server, policies and secrets: the options, else core's
/// defaults. The policies file is the one read here, by its absolute path.
fn setup(a: &Args, env_url: Option<String>) -> RunnerSetup {
    let d = RunnerSetup::default();
    let file = std::fs::canonicalize(&a.file).map(|p| p.display().to_string()).unwrap_or_else(|_| a.file.clone());
    RunnerSetup {
        weaviate_url: a.url.clone().or(env_url).unwrap_or(d.weaviate_url),
        policies_file: file,
        env_file: a.env_file.clone().unwrap_or(d.env_file),
        secret: a.secret.clone().unwrap_or(d.secret),
        config_map: a.config_map.clone().unwrap_or(d.config_map),
        image: a.image.clone().unwrap_or(d.image),
    }
}

fn main() -> ExitCode {
    let a = match parse(std::env::args_os().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("backup-runner: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match dispatch(&a) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("backup-runner: {e}");
            ExitCode::from(1)
        }
    }
}

fn dispatch(a: &Args) -> Result<(), String> {
    let limits = {
        let d = run::Limits::default();
        run::Limits { backup: a.timeout.map(Duration::from_secs).unwrap_or(d.backup), previous: a.wait_timeout.map(Duration::from_secs).unwrap_or(d.previous) }
    };
    match a.command.as_str() {
        "help" => {
            println!("{USAGE}");
            Ok(())
        }
        "run" => {
            let (_, p) = policy(a)?;
            let p = p.expect("run has --policy");
            let report = run::run(&connect(a)?, &p, limits, &|| false);
            report.failure().map_or(Ok(()), Err)
        }
        "retention" => {
            let (_, p) = policy(a)?;
            let p = p.expect("retention has --policy");
            let wv = connect(a)?;
            let (_, checked) = run::prepare(&wv, &p)?;
            run::retention(&wv, &p, &checked, &mut None, a.apply, true).map(|_| ())
        }
        "schedule" => {
            let (all, chosen) = policy(a)?;
            let wv = connect(a)?;
            schedule::install_signal_handlers();
            schedule::schedule(&wv, chosen.map(|p| vec![p]).unwrap_or(all), a.metrics_addr.as_deref(), limits)
        }
        "export" => {
            let (_, p) = policy(a)?;
            let p = p.expect("export has --policy");
            let kind = Manifest::parse(a.format.as_deref().unwrap_or_default()).ok_or_else(|| format!("--as {:?}: choose cronjob, crontab or systemd", a.format.as_deref().unwrap_or_default()))?;
            let checked = p.validate(None, &run::zone_known).map_err(|_| format!("{}: invalid policy", p.name))?;
            print!("{}", manifest(&p, &checked, kind, &setup(a, std::env::var("WEAVIATE_URL").ok()))?);
            Ok(())
        }
        _ => unreachable!("parse() accepts only known commands"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Result<Args, String> {
        parse(s.split_whitespace().map(std::ffi::OsString::from))
    }

    #[test]
    fn commands_and_their_options() {
        let a = args("run --policy nightly --file p.json --url http://x:8080 --timeout 60").unwrap();
        assert_eq!((a.command.as_str(), a.policy.as_deref(), a.file.as_str(), a.timeout), ("run", Some("nightly"), "p.json", Some(60)));
        assert!(args("retention --policy n --apply").unwrap().apply);
        assert_eq!(args("schedule --metrics-addr 127.0.0.1:0").unwrap().metrics_addr.as_deref(), Some("127.0.0.1:0"));
        assert_eq!(args("export --policy n --as crontab").unwrap().format.as_deref(), Some("crontab"));
    }

    #[test]
    fn export_options_fill_the_setup_and_defaults_stay_cores() {
        let a = args("export --policy n --as cronjob --image r:1 --secret s --file /nonexistent/p.json --url http://db:8080").unwrap();
        let s = setup(&a, Some("http://env:1".into()));
        assert_eq!((s.image.as_str(), s.secret.as_str(), s.policies_file.as_str(), s.weaviate_url.as_str()), ("r:1", "s", "/nonexistent/p.json", "http://db:8080"));
        assert_eq!(s.config_map, RunnerSetup::default().config_map);
        assert_eq!(setup(&args("export --policy n --as crontab").unwrap(), Some("http://env:1".into())).weaviate_url, "http://env:1");
        assert_eq!(args("export --policy n --as crontab --image x --apply").unwrap_err(), "--apply does not apply to export");
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        assert_eq!(args("").unwrap_err(), "name a command: run, retention, schedule or export");
        assert!(args("backup --policy n").unwrap_err().starts_with("unknown command \"backup\""));
        assert_eq!(args("run").unwrap_err(), "run needs --policy NAME");
        assert_eq!(args("run --policy n --apply").unwrap_err(), "--apply does not apply to run");
        assert_eq!(args("export --policy n").unwrap_err(), "export needs --as cronjob, crontab or systemd");
        assert!(args("run --policy n --timeout soon").unwrap_err().contains("--timeout takes a number of seconds"));
        assert!(args("run --policy").unwrap_err().contains("missing argument"));
        assert!(args("run --policy n --frobnicate").unwrap_err().contains("--frobnicate"));
    }
}
