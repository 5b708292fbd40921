//! The job table as CSV and JSON, for reports and tickets.

use serde::Serialize;

use crate::job::Job;

#[derive(Serialize)]
struct Row<'a> {
    kind: &'a str,
    id: &'a str,
    backend: &'a str,
    status: &'a str,
    collections: Vec<&'a str>,
    started_ms: u64,
    finished_ms: Option<u64>,
    size_gib: Option<f64>,
    error: Option<&'a str>,
}

fn row(j: &Job) -> Row<'_> {
    Row {
        kind: j.key.kind.as_str(),
        id: &j.key.id,
        backend: &j.key.backend,
        status: j.status.as_str(),
        collections: j.classes.iter().map(String::as_str).collect(),
        started_ms: j.started_ms,
        finished_ms: j.finished_ms,
        size_gib: j.size_gib,
        error: j.error.as_deref(),
    }
}

/// A cell that a spreadsheet shows as text. Ids, collection names and error messages come from
/// the server, so a cell starting like a formula gets a leading `'` (OWASP, CSV injection);
/// then a cell with a separator, quote or line break is quoted.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn to_csv(jobs: &[Job]) -> String {
    let mut out = String::from("kind,id,backend,status,collections,started_ms,finished_ms,size_gib,error\r\n");
    for j in jobs {
        let r = row(j);
        let fields = [
            r.kind.to_string(),
            r.id.to_string(),
            r.backend.to_string(),
            r.status.to_string(),
            r.collections.join(" "),
            r.started_ms.to_string(),
            r.finished_ms.map(|f| f.to_string()).unwrap_or_default(),
            r.size_gib.map(|s| s.to_string()).unwrap_or_default(),
            r.error.unwrap_or_default().to_string(),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

pub fn to_json(jobs: &[Job]) -> String {
    serde_json::to_string_pretty(&jobs.iter().map(row).collect::<Vec<_>>()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::StartedResponse;
    use crate::job::{JobKey, JobKind};

    #[test]
    fn csv_and_json() {
        let resp: StartedResponse =
            serde_json::from_str(r#"{"id":"b","status":"FAILED","classes":["A","B"],"error":"bad, \"really\""}"#).unwrap();
        let key = JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: "b".into() };
        let job = Job::started(key, &resp, 5);
        let csv = to_csv(std::slice::from_ref(&job));
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            r#"backup,b,filesystem,FAILED,A B,5,5,,"bad, ""really""""#
        );
        let json: serde_json::Value = serde_json::from_str(&to_json(&[job])).unwrap();
        assert_eq!(json[0]["collections"], serde_json::json!(["A", "B"]));
        assert_eq!(json[0]["status"], "FAILED");
        assert_eq!(to_csv(&[]).lines().count(), 1);
    }

    #[test]
    fn formula_cells_are_defused() {
        let formula = r#"=HYPERLINK("http://x","y")"#;
        let resp = StartedResponse {
            id: formula.into(),
            backend: "fs".into(),
            classes: vec!["+A".into(), "B".into()],
            path: None,
            status: crate::status::Status::parse("@SUM(1)"),
            error: Some(formula.into()),
        };
        let key = JobKey { kind: JobKind::Backup, backend: "-fs".into(), id: formula.into() };
        let mut job = Job::started(key, &resp, 5);
        job.size_gib = Some(-1.0);
        let csv = to_csv(&[job]);
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            r#"backup,"'=HYPERLINK(""http://x"",""y"")",'-fs,'@SUM(1),'+A B,5,,'-1,"'=HYPERLINK(""http://x"",""y"")""#
        );
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(csv_field("\rx"), "\"'\rx\"");
        assert_eq!(csv_field("\nx"), "\"'\nx\"");
        assert_eq!(csv_field("a=b"), "a=b");
    }
}
