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
/// the server, so a cell that reads like a formula gets a leading `'` (OWASP, CSV injection):
/// one starting with `= + - @` also after spaces (spreadsheets skip them), or with a tab or a
/// line break. Every cell is quoted: a spreadsheet in a locale whose separator is `;` (Excel
/// in de, fr) splits an unquoted `x;=cmd|' /C calc'!A0` into a cell `=cmd|…`.
pub(crate) fn csv_field(s: &str) -> String {
    let formula = s.starts_with(['\t', '\r', '\n'])
        || s.trim_start_matches(|c: char| c.is_whitespace() || c.is_control()).starts_with(['=', '+', '-', '@']);
    let quote = if formula { "'" } else { "" };
    format!("\"{quote}{}\"", s.replace('"', "\"\""))
}

const HEADER: [&str; 9] = ["kind", "id", "backend", "status", "collections", "started_ms", "finished_ms", "size_gib", "error"];

fn csv_line(fields: &[impl AsRef<str>]) -> String {
    let mut line = fields.iter().map(|f| csv_field(f.as_ref())).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

pub fn to_csv(jobs: &[Job]) -> String {
    let mut out = csv_line(&HEADER);
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
        out.push_str(&csv_line(&fields));
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
            r#""backup","b","filesystem","FAILED","A B","5","5","","bad, ""really""""#
        );
        assert_eq!(csv.lines().next().unwrap(), r#""kind","id","backend","status","collections","started_ms","finished_ms","size_gib","error""#);
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
            r#""backup","'=HYPERLINK(""http://x"",""y"")","'-fs","'@SUM(1)","'+A B","5","","'-1","'=HYPERLINK(""http://x"",""y"")""#
        );
        assert_eq!(csv_field("\tx"), "\"'\tx\"");
        assert_eq!(csv_field("\rx"), "\"'\rx\"");
        assert_eq!(csv_field("\nx"), "\"'\nx\"");
        assert_eq!(csv_field("a=b"), "\"a=b\"");
    }

    #[test]
    fn formulas_after_spaces_are_defused() {
        assert_eq!(csv_field(" =1+1"), "\"' =1+1\"");
        assert_eq!(csv_field("  \t@SUM(A1)"), "\"'  \t@SUM(A1)\"");
        assert_eq!(csv_field("\u{a0}-2"), "\"'\u{a0}-2\"", "a no-break space too");
        assert_eq!(csv_field(" plain"), "\" plain\"");
    }

    /// Excel in de and fr locales splits on `;`: quoted, the whole text is one cell.
    #[test]
    fn semicolons_stay_inside_their_cell() {
        assert_eq!(csv_field("x;=cmd|' /C calc'!A0"), "\"x;=cmd|' /C calc'!A0\"");
        assert_eq!(csv_field("x"), "\"x\"");
        assert_eq!(csv_field(""), "\"\"");
    }
}
