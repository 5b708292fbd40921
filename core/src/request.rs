//! What one request to Weaviate may cost the console: how long it may take, and how much of
//! its answer is read. A server that never answers, or answers without end (a proxy's 6 MB
//! error page, a hostile server), must not hold a poll slot or fill the tab's memory.

use crate::error::ApiError;

/// What a request is for, which sets its deadline and its answer's size cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// `/v1/meta`, `/v1/schema`, `/v1/nodes`: answered from memory.
    Discovery,
    /// A backend's list: reads every backup's descriptor from the backend (S3, GCS, …).
    List,
    /// A job's status: one descriptor, polled every few seconds.
    Status,
    /// Create or restore: answered after every node agreed to take part.
    Submit,
    /// Cancel: a restore-cancel writes its descriptor twice and aborts the nodes first.
    Cancel,
}

const MB: u64 = 1 << 20;

impl RequestKind {
    pub fn deadline_ms(self) -> u32 {
        match self {
            RequestKind::Discovery => 15_000,
            RequestKind::List => 30_000,
            RequestKind::Status => 10_000,
            RequestKind::Submit => 30_000,
            RequestKind::Cancel => 30_000,
        }
    }

    /// The most bytes of an answer the console reads.
    pub fn max_bytes(self) -> u64 {
        match self {
            // The schema of a database with thousands of collections and their properties.
            RequestKind::Discovery => 16 * MB,
            // Years of backups: ~300 bytes each plus its collection names, so 10,000 backups of
            // 50 collections each are ~10 MB.
            RequestKind::List => 64 * MB,
            // One job's descriptor (its collection names, an error text): kilobytes.
            RequestKind::Status | RequestKind::Submit | RequestKind::Cancel => MB,
        }
    }
}

/// Counts an answer's bytes as they arrive, against its kind's cap.
#[derive(Debug)]
pub struct BodyCap {
    status: u16,
    limit: u64,
    read: u64,
}

impl BodyCap {
    /// Before reading an answer of `status` to a `kind` request: refused at once if its
    /// `Content-Length` already says it is over the cap. (Compressed, the header counts fewer
    /// bytes than are read, so it can only refuse early, never let more through.)
    pub fn start(kind: RequestKind, status: u16, content_length: Option<&str>) -> Result<BodyCap, ApiError> {
        let limit = kind.max_bytes();
        let declared = content_length.and_then(|l| l.trim().parse::<u64>().ok());
        match declared {
            Some(n) if n > limit => Err(ApiError::too_large(status, limit)),
            _ => Ok(BodyCap { status, limit, read: 0 }),
        }
    }

    /// Counts a chunk of `len` bytes; an error as soon as the answer is over the cap (stop
    /// reading then).
    pub fn take(&mut self, len: usize) -> Result<(), ApiError> {
        self.read = self.read.saturating_add(len as u64);
        if self.read > self.limit {
            return Err(ApiError::too_large(self.status, self.limit));
        }
        Ok(())
    }
}

/// An answer's bytes as text, as `Response.text()` decodes them: UTF-8, a leading byte-order
/// mark dropped, invalid sequences replaced.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_fit_what_each_request_returns() {
        // A status read of a 6 MB proxy page is refused; a list of years of backups is read.
        assert!(RequestKind::Status.max_bytes() < 6 * MB);
        assert!(RequestKind::List.max_bytes() >= 10 * MB);
        assert!(RequestKind::Discovery.max_bytes() > RequestKind::Status.max_bytes());
        for k in [RequestKind::Discovery, RequestKind::List, RequestKind::Status, RequestKind::Submit, RequestKind::Cancel] {
            assert!(k.max_bytes() >= MB && k.deadline_ms() >= 10_000, "{k:?}");
        }
    }

    #[test]
    fn a_declared_length_over_the_cap_is_refused_before_reading() {
        let e = BodyCap::start(RequestKind::Status, 503, Some("6291456")).unwrap_err();
        assert_eq!(e, ApiError::too_large(503, MB));
        assert_eq!(e.to_string(), "HTTP 503: answer too large: over 1 MB");
        for fine in [None, Some("1048576"), Some(" 12 "), Some("nonsense"), Some("-1"), Some("99999999999999999999999")] {
            assert!(BodyCap::start(RequestKind::Status, 200, fine).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn an_answer_is_cut_off_as_soon_as_it_is_over_the_cap() {
        // No length declared (chunked) or a false one: counted as it arrives.
        let mut cap = BodyCap::start(RequestKind::Status, 200, Some("10")).unwrap();
        cap.take(MB as usize - 1).unwrap();
        cap.take(1).unwrap();
        assert_eq!(cap.take(1), Err(ApiError::too_large(200, MB)), "one byte over");
        let mut list = BodyCap::start(RequestKind::List, 200, None).unwrap();
        for _ in 0..60 {
            list.take(MB as usize).unwrap();
        }
        assert!(list.take(5 * MB as usize).is_err());
        let mut huge = BodyCap::start(RequestKind::Submit, 200, None).unwrap();
        assert!(huge.take(usize::MAX).is_err() && huge.take(usize::MAX).is_err(), "no overflow");
    }

    #[test]
    fn bytes_decode_like_response_text() {
        assert_eq!(decode_text(b"\xEF\xBB\xBF{\"a\":1}"), "{\"a\":1}");
        assert_eq!(decode_text("é€".as_bytes()), "é€");
        assert_eq!(decode_text(b"a\xFFb"), "a\u{FFFD}b");
    }
}
