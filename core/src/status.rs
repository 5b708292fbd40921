//! Weaviate's backup/restore status values (`entities/backup/status.go`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A status as reported by the API. Unknown strings from a newer server are kept verbatim
/// rather than rejected, so a new state never breaks the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Started,
    Transferring,
    Transferred,
    Finalizing,
    Success,
    Cancelling,
    Canceled,
    Failed,
    Unknown(String),
}

/// The visual family of a status; colour is never the only signal, the text is always shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Running,
    Success,
    Failed,
    Canceled,
    Unknown,
}

impl Status {
    pub fn parse(s: &str) -> Status {
        match s {
            "STARTED" => Status::Started,
            "TRANSFERRING" => Status::Transferring,
            "TRANSFERRED" => Status::Transferred,
            "FINALIZING" => Status::Finalizing,
            "SUCCESS" => Status::Success,
            "CANCELLING" => Status::Cancelling,
            "CANCELED" => Status::Canceled,
            "FAILED" => Status::Failed,
            other => Status::Unknown(other.to_string()),
        }
    }

    /// The exact API text.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Started => "STARTED",
            Status::Transferring => "TRANSFERRING",
            Status::Transferred => "TRANSFERRED",
            Status::Finalizing => "FINALIZING",
            Status::Success => "SUCCESS",
            Status::Cancelling => "CANCELLING",
            Status::Canceled => "CANCELED",
            Status::Failed => "FAILED",
            Status::Unknown(s) => s,
        }
    }

    /// Terminal statuses end polling. An unknown status is not terminal: a newer server may
    /// add intermediate states, and polling (slowly) is safer than dropping a live job.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Status::Success | Status::Canceled | Status::Failed)
    }

    pub fn tone(&self) -> Tone {
        match self {
            Status::Success => Tone::Success,
            Status::Failed => Tone::Failed,
            Status::Canceled | Status::Cancelling => Tone::Canceled,
            Status::Unknown(_) => Tone::Unknown,
            _ => Tone::Running,
        }
    }
}

impl Tone {
    /// A CSS-friendly name, used as a class and a data attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Running => "running",
            Tone::Success => "success",
            Tone::Failed => "failed",
            Tone::Canceled => "canceled",
            Tone::Unknown => "unknown",
        }
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Status::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_statuses_round_trip() {
        for s in [
            "STARTED",
            "TRANSFERRING",
            "TRANSFERRED",
            "FINALIZING",
            "SUCCESS",
            "CANCELLING",
            "CANCELED",
            "FAILED",
        ] {
            let st = Status::parse(s);
            assert!(!matches!(st, Status::Unknown(_)), "{s}");
            assert_eq!(st.as_str(), s);
        }
    }

    #[test]
    fn unknown_future_status_is_kept_verbatim_and_not_terminal() {
        let st: Status = serde_json::from_str("\"DEFRAGMENTING\"").unwrap();
        assert_eq!(st, Status::Unknown("DEFRAGMENTING".into()));
        assert_eq!(st.as_str(), "DEFRAGMENTING");
        assert!(!st.is_terminal());
        assert_eq!(st.tone(), Tone::Unknown);
        assert_eq!(serde_json::to_string(&st).unwrap(), "\"DEFRAGMENTING\"");
    }

    #[test]
    fn british_spelling_is_not_mistaken_for_canceled() {
        // The API spells CANCELED with one L; CANCELLED would be a different (unknown) value.
        assert_eq!(Status::parse("CANCELLED"), Status::Unknown("CANCELLED".into()));
        assert!(Status::parse("CANCELED").is_terminal());
    }

    #[test]
    fn terminal_statuses() {
        assert!(Status::Success.is_terminal());
        assert!(Status::Failed.is_terminal());
        assert!(Status::Canceled.is_terminal());
        assert!(!Status::Started.is_terminal());
        assert!(!Status::Cancelling.is_terminal());
        assert!(!Status::Finalizing.is_terminal());
    }
}
