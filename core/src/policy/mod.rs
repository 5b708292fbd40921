//! Backup policies: what to back up, when, under which ids, how long to keep it, and how old the
//! newest good backup may get. The console and the runner (`runner/`) read the same policies
//! file, so a policy exported from one runs unchanged in the other.
//!
//! ```json
//! { "version": 1,
//!   "policies": [ { "name": "nightly", "backend": "s3", "schedule": "0 2 * * *",
//!                   "timeZone": "Europe/Berlin", "retention": { "maxCount": 14 } } ] }
//! ```
//! README "Policies" documents every field; unknown keys are errors, so a typo never silently
//! turns retention off.

pub mod export;
pub mod retention;
pub mod schedule;
pub mod state;
pub mod template;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::api::BackupCreateRequest;
use crate::options::{CreateOptions, Location};
use crate::validate::{check_backup_id, check_names, Field, FieldErrors};
use crate::version::{Capabilities, Feature, Version};

pub use schedule::{Schedule, Zone, ZoneRules};
pub use template::{IdTemplate, DEFAULT_TEMPLATE};

/// The policies file's only version so far.
pub const FILE_VERSION: u32 = 1;

/// How many upcoming runs the default freshness objective looks at for the schedule's interval.
const INTERVAL_SAMPLE: usize = 20;

/// A length of time as written in the file: a whole number and a unit, `90s`, `45m`, `12h`,
/// `30d` or `2w`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Span {
    secs: i64,
}

impl Span {
    const UNITS: [(char, i64); 5] = [('w', 604_800), ('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

    pub fn from_secs(secs: i64) -> Span {
        Span { secs }
    }

    pub fn delta(self) -> TimeDelta {
        TimeDelta::seconds(self.secs)
    }

    pub fn parse(text: &str) -> Result<Span, String> {
        let t = text.trim();
        let bad = || format!("{t:?} is not a length of time: write a whole number and a unit, e.g. 30d, 12h, 45m.");
        let unit = t.chars().last().ok_or_else(bad)?;
        let (_, secs) = Span::UNITS.iter().find(|(u, _)| *u == unit).ok_or_else(bad)?;
        let n: i64 = t[..t.len() - 1].parse().map_err(|_| bad())?;
        if n <= 0 {
            return Err(format!("{t} must be longer than zero."));
        }
        // Ten years is beyond any retention or freshness; it also keeps chrono's range safe.
        let secs = n.checked_mul(*secs).filter(|s| *s <= 10 * 366 * 86_400).ok_or_else(|| format!("{t} is longer than ten years."))?;
        Ok(Span { secs })
    }
}

impl TryFrom<String> for Span {
    type Error = String;
    fn try_from(s: String) -> Result<Span, String> {
        Span::parse(&s)
    }
}

impl From<Span> for String {
    fn from(s: Span) -> String {
        s.to_string()
    }
}

impl std::fmt::Display for Span {
    /// The largest unit that divides it: `86400s` is `1d`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (u, n) = Span::UNITS.iter().find(|(_, n)| self.secs % n == 0).copied().unwrap_or(('s', 1));
        write!(f, "{}{u}", self.secs / n)
    }
}

/// Which backups a policy keeps (Elasticsearch SLM's three knobs). Only successful backups
/// count; the newest `min_count` are kept whatever their age.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Retention {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_after: Option<Span>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_count: Option<u32>,
}

impl Retention {
    pub fn is_unset(&self) -> bool {
        self == &Retention::default()
    }
}

/// Incremental runs on the policy's last successful backup, with a full one every `full_every`
/// runs (Weaviate 1.37+).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Incremental {
    pub full_every: u32,
}

/// What a run does when the server is already running a backup (it runs one at a time).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnPreviousRunning {
    /// Skip this run; the next one is on schedule (CockroachDB's `skip`).
    #[default]
    Skip,
    /// Wait for the other backup to end, then start.
    Wait,
}

/// One policy, as the file holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    pub backend: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_percentage: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_level: Option<String>,
    /// `includeRoles` (v1.39.1+): RBAC roles to back up, `*`/`?` wildcards.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_roles: Vec<String>,
    pub schedule: String,
    /// An IANA zone (`Europe/Berlin`) or `UTC`: the wall clock the schedule is read on.
    pub time_zone: String,
    #[serde(default = "default_template")]
    pub id_template: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental: Option<Incremental>,
    #[serde(default, skip_serializing_if = "Retention::is_unset")]
    pub retention: Retention,
    /// The longest acceptable age of the last success; twice the schedule's interval if unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<Span>,
    #[serde(default)]
    pub on_previous_running: OnPreviousRunning,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paused: bool,
}

fn default_template() -> String {
    DEFAULT_TEMPLATE.to_string()
}

/// The newest server the console knows: a policy checked without a server is checked against
/// every option, and gated again when it runs.
const ANY_SERVER: Capabilities = Capabilities { version: Version::new(u32::MAX, 0, 0) };

impl Policy {
    /// A policy with the defaults a new one starts from in the editor.
    pub fn new(name: &str, backend: &str, schedule: &str, time_zone: &str) -> Policy {
        Policy {
            name: name.into(),
            backend: backend.into(),
            bucket: None,
            path: None,
            include: vec![],
            exclude: vec![],
            cpu_percentage: None,
            compression_level: None,
            include_roles: vec![],
            schedule: schedule.into(),
            time_zone: time_zone.into(),
            id_template: default_template(),
            incremental: None,
            retention: Retention::default(),
            freshness: None,
            on_previous_running: OnPreviousRunning::Skip,
            paused: false,
        }
    }

    /// Every rule at once (field → message), the editor's and the runner's alike. `zone_known`
    /// says whether the platform knows a time zone; `caps` gates the options on a server's
    /// version when one is known.
    pub fn validate(&self, caps: Option<Capabilities>, zone_known: &dyn Fn(&str) -> bool) -> Result<Checked, FieldErrors> {
        let caps = caps.unwrap_or(ANY_SERVER);
        let mut errs = FieldErrors::default();
        if let Err(e) = check_name(&self.name) {
            errs.add(Field::Name, e);
        }
        if self.backend.trim().is_empty() {
            errs.add(Field::Backend, "Choose a backup backend.");
        }
        if !self.include.is_empty() && !self.exclude.is_empty() {
            errs.add(Field::Include, "Use either include or exclude, not both.");
            errs.add(Field::Exclude, "Use either include or exclude, not both.");
        }
        for (field, names) in [(Field::Include, &self.include), (Field::Exclude, &self.exclude)] {
            if let Some(m) = check_names(names, None, caps) {
                errs.add(field, m);
            }
        }
        let schedule = Schedule::parse(&self.schedule).map_err(|e| errs.add(Field::Schedule, e)).ok();
        if self.time_zone.trim().is_empty() {
            errs.add(Field::TimeZone, "Name the schedule's time zone, e.g. UTC or Europe/Berlin.");
        } else if !zone_known(&self.time_zone) {
            errs.add(Field::TimeZone, format!("Unknown time zone {:?} (use an IANA name such as Europe/Berlin, or UTC).", self.time_zone));
        }
        let template = IdTemplate::parse(&self.id_template).map_err(|e| errs.add(Field::IdTemplate, e)).ok();
        if let (Some(t), Ok(())) = (&template, check_name(&self.name)) {
            let sample = t.render(&self.name, DateTime::<Utc>::from_timestamp(0, 0).unwrap_or_default());
            if let Err(e) = check_backup_id(&sample) {
                errs.add(Field::IdTemplate, e);
            }
        }
        if let Some(inc) = self.incremental {
            if inc.full_every < 2 {
                errs.add(Field::Incremental, "A full backup every 1 run is no incremental run: use 2 or more, or leave incremental off.");
            } else if let Some(why) = caps.lacks(Feature::IncrementalBase) {
                errs.add(Field::Incremental, format!("Incremental backups: {why}"));
            }
        }
        let r = &self.retention;
        if let (Some(min), Some(max)) = (r.min_count, r.max_count) {
            if min > max {
                errs.add(Field::Retention, format!("minCount ({min}) is above maxCount ({max})."));
            }
        }
        if r.max_count == Some(0) {
            errs.add(Field::Retention, "maxCount 0 would delete every backup the policy makes.");
        }
        // The options the create form has, checked by the form's own rules.
        let mut probe = BackupCreateRequest { id: "probe".into(), ..Default::default() };
        if let Err(e) = self.options(None).apply(&mut probe, caps) {
            for (f, m) in e.iter() {
                errs.add(f, m);
            }
        }
        match (schedule, template, errs.is_empty()) {
            (Some(schedule), Some(template), true) => Ok(Checked { schedule, template }),
            _ => Err(errs),
        }
    }

    fn options(&self, base: Option<&str>) -> CreateOptions {
        CreateOptions {
            cpu: self.cpu_percentage.map(|c| c.to_string()).unwrap_or_default(),
            compression: self.compression_level.clone().unwrap_or_default(),
            bucket: self.bucket.clone().unwrap_or_default(),
            path: self.path.clone().unwrap_or_default(),
            base_id: base.unwrap_or_default().to_string(),
            roles: self.include_roles.join(" "),
        }
    }

    /// The create request of a run started at `at` (on `base` when incremental), with the
    /// options the server at `caps` has: the same rules as the create form.
    pub fn create_request(&self, checked: &Checked, at: DateTime<Utc>, base: Option<&str>, caps: Capabilities) -> Result<(BackupCreateRequest, Location), FieldErrors> {
        let mut req = BackupCreateRequest {
            id: checked.template.render(&self.name, at),
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            ..Default::default()
        };
        let loc = self.options(base).apply(&mut req, caps)?;
        Ok((req, loc))
    }

    /// The longest acceptable age of the last success.
    pub fn freshness<Tz: TimeZone>(&self, checked: &Checked, tz: &Tz, now: DateTime<Utc>) -> TimeDelta {
        self.freshness.map(Span::delta).unwrap_or_else(|| {
            checked.schedule.longest_gap(tz, now, INTERVAL_SAMPLE).map(|g| g * 2).unwrap_or(TimeDelta::days(2))
        })
    }
}

/// A policy's parsed parts, from a successful [`Policy::validate`].
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    pub schedule: Schedule,
    pub template: IdTemplate,
}

/// A policy name: it is part of every backup id, so it follows the id's rule, and starts with a
/// letter or digit so ids read well.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("A policy needs a name.".into());
    }
    if name.len() > 64 {
        return Err("A policy name has at most 64 characters.".into());
    }
    check_backup_id(name).map_err(|e| e.replace("Backup ID", "A policy name"))?;
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("A policy name starts with a letter or a digit.".into());
    }
    Ok(())
}

/// The policies file: `{"version": 1, "policies": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoliciesFile {
    pub version: u32,
    pub policies: Vec<Policy>,
}

impl PoliciesFile {
    pub fn new(policies: Vec<Policy>) -> PoliciesFile {
        PoliciesFile { version: FILE_VERSION, policies }
    }

    /// Reads a policies file and checks every policy; the error names each problem with its
    /// policy and field, all at once.
    pub fn parse(text: &str, zone_known: &dyn Fn(&str) -> bool) -> Result<PoliciesFile, String> {
        let file: PoliciesFile = serde_json::from_str(text).map_err(|e| format!("Not a policies file: {e}."))?;
        if file.version != FILE_VERSION {
            return Err(format!("Policies file version {} is not supported (this build reads version {FILE_VERSION}).", file.version));
        }
        let mut problems = vec![];
        for (i, p) in file.policies.iter().enumerate() {
            if file.policies[..i].iter().any(|q| q.name == p.name) {
                problems.push(format!("{}: the name is used twice.", p.name));
            }
            if let Err(errs) = p.validate(None, zone_known) {
                let name = if p.name.is_empty() { format!("policy {}", i + 1) } else { p.name.clone() };
                problems.extend(errs.iter().map(|(f, m)| format!("{name}: {}: {m}", field_name(f))));
            }
        }
        if problems.is_empty() {
            Ok(file)
        } else {
            Err(problems.join("\n"))
        }
    }

    /// The file as written for people: two-space indents, a final newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    pub fn get(&self, name: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.name == name)
    }
}

/// A field's key in the policies file, for messages about the file.
pub fn field_name(f: Field) -> &'static str {
    match f {
        Field::Backend => "backend",
        Field::Id => "id",
        Field::Include => "include",
        Field::Exclude => "exclude",
        Field::Cpu => "cpuPercentage",
        Field::Compression => "compressionLevel",
        Field::Bucket => "bucket",
        Field::Path => "path",
        Field::BaseId => "incremental",
        Field::NodeMapping => "nodeMapping",
        Field::Roles => "includeRoles",
        Field::Name => "name",
        Field::Schedule => "schedule",
        Field::TimeZone => "timeZone",
        Field::IdTemplate => "idTemplate",
        Field::Incremental => "incremental",
        Field::Retention => "retention",
        Field::Freshness => "freshness",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones(z: &str) -> bool {
        z == "UTC" || z == "Europe/Berlin"
    }

    const FILE: &str = r#"{"version":1,"policies":[{"name":"nightly","backend":"s3","include":["Article"],
        "schedule":"0 2 * * *","timeZone":"Europe/Berlin","retention":{"maxCount":14,"minCount":3,"expireAfter":"30d"},
        "incremental":{"fullEvery":7},"onPreviousRunning":"wait"}]}"#;

    #[test]
    fn the_file_round_trips() {
        let file = PoliciesFile::parse(FILE, &zones).unwrap();
        let p = file.get("nightly").unwrap();
        assert_eq!(p.retention.expire_after, Some(Span::from_secs(30 * 86_400)));
        assert_eq!(p.id_template, DEFAULT_TEMPLATE);
        assert_eq!(p.on_previous_running, OnPreviousRunning::Wait);
        assert_eq!(PoliciesFile::parse(&file.to_json(), &zones).unwrap(), file);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let typo = FILE.replace("maxCount", "maxCuont");
        assert!(PoliciesFile::parse(&typo, &zones).unwrap_err().contains("maxCuont"));
        assert!(PoliciesFile::parse(&FILE.replace("\"version\":1", "\"version\":2"), &zones).unwrap_err().contains("version 2"));
    }

    #[test]
    fn every_error_of_a_policy_is_reported_at_once() {
        let mut p = Policy::new("Nightly", "", "0 25 * * *", "Mars/Olympus");
        p.include = vec!["A".into()];
        p.exclude = vec!["B".into()];
        p.id_template = "{policy}".into();
        p.retention = Retention { min_count: Some(5), max_count: Some(2), expire_after: None };
        p.cpu_percentage = Some(95);
        p.incremental = Some(Incremental { full_every: 1 });
        let errs = p.validate(None, &zones).unwrap_err();
        let fields: Vec<Field> = errs.iter().map(|(f, _)| f).collect();
        for f in [Field::Name, Field::Backend, Field::Include, Field::Exclude, Field::Schedule, Field::TimeZone, Field::IdTemplate, Field::Incremental, Field::Retention, Field::Cpu] {
            assert!(fields.contains(&f), "{f:?} missing from {errs:?}");
        }
        let file = PoliciesFile::new(vec![p.clone(), p]);
        let msg = PoliciesFile::parse(&file.to_json(), &zones).unwrap_err();
        assert!(msg.contains("Nightly: the name is used twice.") && msg.contains("Nightly: timeZone: Unknown time zone"), "{msg}");
    }

    #[test]
    fn options_are_gated_like_the_create_form() {
        let mut p = Policy::new("nightly", "filesystem", "@daily", "UTC");
        p.compression_level = Some("ZstdBestSpeed".into());
        p.incremental = Some(Incremental { full_every: 3 });
        let checked = p.validate(None, &zones).unwrap();
        let old = Capabilities::for_version("1.30.0");
        assert!(p.validate(Some(old), &zones).unwrap_err().get(Field::Incremental).unwrap().contains("1.37.0"));
        let at = DateTime::parse_from_rfc3339("2026-12-06T02:00:00Z").unwrap().with_timezone(&Utc);
        let (req, _) = p.create_request(&checked, at, Some("nightly-20261205-020000"), Capabilities::for_version("1.39.0")).unwrap();
        assert_eq!(req.id, "nightly-20261206-020000");
        assert_eq!(req.incremental_base_backup_id.as_deref(), Some("nightly-20261205-020000"));
        assert_eq!(req.config.unwrap().compression_level.as_deref(), Some("ZstdBestSpeed"));
    }

    #[test]
    fn freshness_defaults_to_twice_the_interval() {
        let p = Policy::new("nightly", "filesystem", "0 2 * * *", "UTC");
        let checked = p.validate(None, &zones).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-12-06T12:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(p.freshness(&checked, &Utc, now), TimeDelta::days(2));
        let p = Policy { freshness: Some(Span::parse("36h").unwrap()), ..p };
        assert_eq!(p.freshness(&checked, &Utc, now), TimeDelta::hours(36));
    }

    /// The JSON blocks of README.md's "Policies" section, as pasted.
    fn readme_blocks() -> Vec<String> {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
        let (_, section) = readme.split_once("\n## Policies\n").expect("README.md has a Policies section");
        let section = section.split("\n## ").next().unwrap();
        section.split("```json\n").skip(1).map(|b| b.split("\n```").next().unwrap().to_string()).collect()
    }

    #[test]
    fn the_readme_examples_are_accepted_as_pasted() {
        let blocks = readme_blocks();
        let file = PoliciesFile::parse(&blocks[0], &|z| z == "Europe/Berlin").unwrap();
        assert_eq!(file.get("nightly").unwrap().incremental, Some(Incremental { full_every: 7 }));
        let config = crate::config::ConsoleConfig::parse(&blocks[1], crate::config::Source::Deployment).unwrap();
        assert_eq!(config.policies(&|z| z == "Europe/Berlin").unwrap()[0].retention.max_count, Some(14));
    }

    #[test]
    fn spans_parse_and_print() {
        assert_eq!(Span::parse("2w").unwrap().to_string(), "2w");
        assert_eq!(Span::parse("48h").unwrap().to_string(), "2d");
        assert!(Span::parse("0d").is_err());
        assert!(Span::parse("3 days").is_err());
        assert!(Span::parse("99999999999w").unwrap_err().contains("ten years"));
    }
}
