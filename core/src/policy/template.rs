//! A policy's backup ids: a template such as `{policy}-{yyyymmdd}-{hhmmss}`, rendered from the
//! run's UTC start and parsed back, so the console and the runner know which listed backups a
//! policy made (never guessed from a prefix: `nightly-eu` is not a run of `nightly`).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::validate::check_backup_id;

/// The template used when a policy names none.
pub const DEFAULT_TEMPLATE: &str = "{policy}-{yyyymmdd}-{hhmmss}";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Policy,
    Date,
    Time,
}

impl Token {
    const ALL: [(Token, &'static str); 3] =
        [(Token::Policy, "{policy}"), (Token::Date, "{yyyymmdd}"), (Token::Time, "{hhmmss}")];
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Token(Token),
}

/// A checked id template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdTemplate {
    pieces: Vec<Piece>,
}

impl IdTemplate {
    /// Every template names the policy, the date and the time (ids are unique to the second
    /// and carry their run's time); its text is what a backup id may hold.
    pub fn parse(text: &str) -> Result<IdTemplate, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if rest.starts_with('{') {
                let Some((token, name)) = Token::ALL.iter().find(|(_, name)| rest.starts_with(name)) else {
                    let end = rest.find('}').map_or(rest.len(), |i| i + 1);
                    return Err(format!(
                        "Unknown placeholder {} in the id template (use {{policy}}, {{yyyymmdd}} and {{hhmmss}}).",
                        &rest[..end]
                    ));
                };
                if pieces.contains(&Piece::Token(*token)) {
                    return Err(format!("{name} appears twice in the id template."));
                }
                pieces.push(Piece::Token(*token));
                rest = &rest[name.len()..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                let literal = &rest[..end];
                check_backup_id(literal).map_err(|e| e.replace("Backup ID", "The id template's text"))?;
                pieces.push(Piece::Text(literal.to_string()));
                rest = &rest[end..];
            }
        }
        for (token, name) in Token::ALL {
            if !pieces.contains(&Piece::Token(token)) {
                return Err(format!("The id template must contain {name}."));
            }
        }
        Ok(IdTemplate { pieces })
    }

    /// The id of `policy`'s run started at `at`.
    pub fn render(&self, policy: &str, at: DateTime<Utc>) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Token(Token::Policy) => policy.to_string(),
                Piece::Token(Token::Date) => at.format("%Y%m%d").to_string(),
                Piece::Token(Token::Time) => at.format("%H%M%S").to_string(),
            })
            .collect()
    }

    /// The start time of `policy`'s run with this id, or `None` when the id is not one of them.
    pub fn parse_id(&self, policy: &str, id: &str) -> Option<DateTime<Utc>> {
        let mut rest = id;
        let (mut date, mut time) = (None, None);
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => rest = rest.strip_prefix(t.as_str())?,
                Piece::Token(Token::Policy) => rest = rest.strip_prefix(policy)?,
                Piece::Token(token) => {
                    let digits = rest.get(..if *token == Token::Date { 8 } else { 6 })?;
                    if !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    rest = &rest[digits.len()..];
                    if *token == Token::Date {
                        date = Some(NaiveDate::parse_from_str(digits, "%Y%m%d").ok()?);
                    } else {
                        time = Some(NaiveTime::parse_from_str(digits, "%H%M%S").ok()?);
                    }
                }
            }
        }
        if !rest.is_empty() {
            return None;
        }
        Some(NaiveDateTime::new(date?, time?).and_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn renders_and_parses_back() {
        let t = IdTemplate::parse(DEFAULT_TEMPLATE).unwrap();
        let id = t.render("nightly", at("2026-12-06T02:00:05Z"));
        assert_eq!(id, "nightly-20261206-020005");
        assert_eq!(t.parse_id("nightly", &id), Some(at("2026-12-06T02:00:05Z")));
    }

    #[test]
    fn another_policy_with_a_longer_name_is_not_a_member() {
        let t = IdTemplate::parse(DEFAULT_TEMPLATE).unwrap();
        assert_eq!(t.parse_id("nightly", "nightly-eu-20261206-020005"), None);
        assert_eq!(t.parse_id("nightly", "nightly-20261206-020005-manual"), None);
        assert_eq!(t.parse_id("nightly", "nightly-20261306-020005"), None, "month 13");
        assert_eq!(t.parse_id("nightly", "nightly-2026120-0200055"), None);
    }

    #[test]
    fn templates_are_checked() {
        assert!(IdTemplate::parse("{policy}-{yyyymmdd}").unwrap_err().contains("{hhmmss}"));
        assert!(IdTemplate::parse("{policy}-{date}-{hhmmss}").unwrap_err().contains("Unknown placeholder {date}"));
        assert!(IdTemplate::parse("{policy}.{yyyymmdd}{hhmmss}").unwrap_err().contains("'.'"));
        assert!(IdTemplate::parse("{policy}{policy}{yyyymmdd}{hhmmss}").unwrap_err().contains("twice"));
        assert!(IdTemplate::parse("bk_{yyyymmdd}t{hhmmss}_{policy}").is_ok());
    }
}
