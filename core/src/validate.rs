//! Client-side validation of the create and restore forms, mirroring the server's rules
//! (`usecases/backup/handler.go`, `scheduler.go`) so nothing invalid is ever sent.

use crate::api::{BackupCreateRequest, BackupRestoreRequest};

/// A form field a rule can reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Backend,
    Id,
    Include,
    Exclude,
}

/// The rejected fields of a form, each with the rule it broke, in form order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(Field, String)>);

impl FieldErrors {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn add(&mut self, field: Field, msg: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, msg.into()));
        }
    }
}

/// The id rule of the server: `^[a-z0-9_-]+$`.
pub fn check_backup_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("Backup ID is required.".into());
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-'))
    {
        let what = if bad == ' ' { "a space".to_string() } else { format!("'{bad}'") };
        return Err(format!(
            "Backup ID may contain only lowercase letters, digits, '_' and '-' (found {what})."
        ));
    }
    Ok(())
}

/// A collection list as typed: names separated by commas and/or whitespace.
pub fn parse_collection_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn first_duplicate(names: &[String]) -> Option<&str> {
    names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
        .map(|(_, n)| n.as_str())
}

/// Names that are not existing collections. Matching is exact and case-sensitive, as the
/// server's; `known` is `None` when the schema is not loaded (then nothing is flagged).
fn unknown_names<'a>(names: &'a [String], known: Option<&[String]>) -> Vec<&'a str> {
    match known {
        None => vec![],
        Some(known) => names
            .iter()
            .filter(|n| !known.contains(n))
            .map(String::as_str)
            .collect(),
    }
}

fn unknown_message(unknown: &[&str], known: &[String]) -> String {
    let hint = unknown
        .iter()
        .find_map(|u| known.iter().find(|k| k.eq_ignore_ascii_case(u)))
        .map(|k| format!(" Names are case-sensitive: did you mean {k}?"))
        .unwrap_or_default();
    format!("No such collection: {}.{hint}", unknown.join(", "))
}

/// What the user typed into a create or restore form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SelectionForm {
    pub backend: String,
    pub id: String,
    pub include: String,
    pub exclude: String,
}

/// A valid form: backend, id, and the collection selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    pub backend: String,
    pub id: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl SelectionForm {
    /// Applies every rule; `known` are the existing collections (for a create) when loaded.
    pub fn validate(&self, known: Option<&[String]>) -> Result<Selection, FieldErrors> {
        let mut errs = FieldErrors::default();
        let backend = self.backend.trim().to_string();
        if backend.is_empty() {
            errs.add(Field::Backend, "Choose a backup backend.");
        }
        let id = self.id.trim().to_string();
        if let Err(e) = check_backup_id(&id) {
            errs.add(Field::Id, e);
        }
        let include = parse_collection_list(&self.include);
        let exclude = parse_collection_list(&self.exclude);
        if !include.is_empty() && !exclude.is_empty() {
            let msg = "Use either include or exclude, not both.";
            errs.add(Field::Include, msg);
            errs.add(Field::Exclude, msg);
        }
        for (field, names) in [(Field::Include, &include), (Field::Exclude, &exclude)] {
            if let Some(d) = first_duplicate(names) {
                errs.add(field, format!("{d} is listed twice."));
            }
            let unknown = unknown_names(names, known);
            if !unknown.is_empty() {
                errs.add(field, unknown_message(&unknown, known.unwrap_or_default()));
            }
        }
        if errs.is_empty() {
            Ok(Selection { backend, id, include, exclude })
        } else {
            Err(errs)
        }
    }
}

impl Selection {
    pub fn create_request(&self) -> BackupCreateRequest {
        BackupCreateRequest {
            id: self.id.clone(),
            include: self.include.clone(),
            exclude: self.exclude.clone(),
        }
    }

    pub fn restore_request(&self) -> BackupRestoreRequest {
        BackupRestoreRequest { include: self.include.clone(), exclude: self.exclude.clone() }
    }
}

/// A fresh, valid backup id from a UTC timestamp, e.g. `backup-20261123-1530`.
pub fn generated_backup_id(year: u32, month: u32, day: u32, hour: u32, minute: u32) -> String {
    format!("backup-{year:04}{month:02}{day:02}-{hour:02}{minute:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(id: &str, include: &str, exclude: &str) -> SelectionForm {
        SelectionForm {
            backend: "filesystem".into(),
            id: id.into(),
            include: include.into(),
            exclude: exclude.into(),
        }
    }

    #[test]
    fn id_rule_matches_server_regex() {
        for ok in ["a", "nightly-1", "b_2", "0", "x-y_z-09"] {
            assert!(check_backup_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "My Backup", "UPPER", "a.b", "a/b", "é", "a b", "tab\t"] {
            assert!(check_backup_id(bad).is_err(), "{bad:?}");
        }
        assert!(check_backup_id("My Backup").unwrap_err().contains("lowercase"));
    }

    #[test]
    fn lists_split_on_commas_and_spaces() {
        assert_eq!(
            parse_collection_list(" Article, Paragraph  Author,,\n"),
            vec!["Article", "Paragraph", "Author"]
        );
        assert!(parse_collection_list(" , ").is_empty());
    }

    #[test]
    fn include_and_exclude_are_exclusive() {
        let e = form("b", "Article", "Paragraph").validate(None).unwrap_err();
        assert!(e.get(Field::Include).unwrap().contains("not both"));
        assert!(e.get(Field::Exclude).unwrap().contains("not both"));
        assert!(form("b", "Article", "").validate(None).is_ok());
        assert!(form("b", "", "Article").validate(None).is_ok());
        assert!(form("b", "", "").validate(None).is_ok());
    }

    #[test]
    fn duplicates_are_rejected() {
        let e = form("b", "Article, Article", "").validate(None).unwrap_err();
        assert_eq!(e.get(Field::Include), Some("Article is listed twice."));
    }

    #[test]
    fn unknown_collections_flagged_case_sensitively() {
        let known = vec!["Article".to_string(), "Paragraph".to_string()];
        let e = form("b", "article", "").validate(Some(&known)).unwrap_err();
        let msg = e.get(Field::Include).unwrap();
        assert!(msg.contains("No such collection: article"), "{msg}");
        assert!(msg.contains("did you mean Article"), "{msg}");
        let ok = form("b", "Article", "").validate(Some(&known)).unwrap();
        assert_eq!(ok.include, vec!["Article"]);
        assert!(form("b", "", "Nope").validate(Some(&known)).is_err());
    }

    #[test]
    fn valid_form_builds_the_request() {
        let s = form(" nightly-1 ", "Article Paragraph", "").validate(None).unwrap();
        let r = s.create_request();
        assert_eq!(r.id, "nightly-1");
        assert_eq!(r.include, vec!["Article", "Paragraph"]);
        assert!(r.exclude.is_empty());
    }

    #[test]
    fn empty_backend_and_id() {
        let mut f = form("", "", "");
        f.backend.clear();
        let e = f.validate(None).unwrap_err();
        assert!(e.get(Field::Backend).is_some());
        assert_eq!(e.get(Field::Id), Some("Backup ID is required."));
    }

    #[test]
    fn generated_id_is_valid() {
        let id = generated_backup_id(2026, 11, 23, 15, 30);
        assert_eq!(id, "backup-20261123-1530");
        assert!(check_backup_id(&id).is_ok());
    }
}
