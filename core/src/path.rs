//! The paths under `/v1` of the backup endpoints, built here once: the request the console
//! sends (`src/client.rs`) and the curl/Python snippets that repeat it must name the same
//! resource, byte for byte, whatever the backend or id holds.

use crate::job::{JobKey, JobKind};
use crate::options::Location;

/// `s` as one path segment, as the browser's `encodeURIComponent` writes it: `A-Z a-z 0-9
/// - _ . ! ~ * ' ( )` kept, every other byte of its UTF-8 as `%XX`. An id or backend name
/// holding `/`, `?`, `#` or `%` then stays one segment instead of naming another resource.
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `/backups/{backend}`: where a backup is created (POST) and listed (GET).
pub fn backups(backend: &str) -> String {
    format!("/backups/{}", segment(backend))
}

/// `/backups/{backend}/{id}/restore`: where a restore is started, and its status.
pub fn restore(backend: &str, id: &str) -> String {
    format!("{}/{}/restore", backups(backend), segment(id))
}

/// The job's own resource, `/backups/{backend}/{id}` or `…/restore`, with its `?bucket=&path=`:
/// its status (GET) and its cancel (DELETE).
pub fn job(key: &JobKey, location: &Location) -> String {
    let resource = match key.kind {
        JobKind::Backup => format!("{}/{}", backups(&key.backend), segment(&key.id)),
        JobKind::Restore => restore(&key.backend, &key.id),
    };
    format!("{resource}{}", location.query())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded_as_encode_uri_component_does() {
        // Values from a browser's console: encodeURIComponent(…).
        assert_eq!(segment("nightly-1_a.b"), "nightly-1_a.b");
        assert_eq!(segment("!~*'()"), "!~*'()");
        assert_eq!(segment("a b/c?d#e%f&g=h+i"), "a%20b%2Fc%3Fd%23e%25f%26g%3Dh%2Bi");
        assert_eq!(segment("x[1-99999999]{a,b}"), "x%5B1-99999999%5D%7Ba%2Cb%7D");
        assert_eq!(segment("é€😀"), "%C3%A9%E2%82%AC%F0%9F%98%80");
        assert_eq!(segment("../.."), "..%2F..");
        assert_eq!(segment(""), "");
    }

    #[test]
    fn every_job_path_is_built_from_encoded_segments() {
        let key = |kind| JobKey { kind, backend: "s 3".into(), id: "x[1-9]/../y".into() };
        let loc = Location { bucket: Some("b".into()), path: Some("/p q".into()) };
        assert_eq!(job(&key(JobKind::Backup), &Location::default()), "/backups/s%203/x%5B1-9%5D%2F..%2Fy");
        assert_eq!(job(&key(JobKind::Restore), &loc), "/backups/s%203/x%5B1-9%5D%2F..%2Fy/restore?bucket=b&path=/p%20q");
        assert_eq!(backups("file/system"), "/backups/file%2Fsystem");
        assert_eq!(restore("fs", "a b"), "/backups/fs/a%20b/restore");
    }
}
