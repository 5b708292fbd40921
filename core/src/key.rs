//! The API key as the admin types or pastes it.

/// Whether `key` can travel in the `Authorization` header. Browsers refuse (with an opaque
/// `TypeError`, before any request) a header value with CR, LF or NUL or a character above
/// U+00FF, and a space or tab inside a Bearer token splits it; so anything but visible ASCII
/// (`!`..=`~`) is refused here, with the reason, once the ends are trimmed. Empty is anonymous
/// access. The message never quotes the key.
pub fn check_api_key(key: &str) -> Result<(), String> {
    let Some((pos, bad)) = key.trim().chars().enumerate().find(|(_, c)| !('!'..='~').contains(c)) else {
        return Ok(());
    };
    let what = match bad {
        '\r' | '\n' => "a line break".to_string(),
        ' ' => "a space".to_string(),
        '\t' => "a tab".to_string(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c if c.is_whitespace() => format!("the invisible space U+{:04X}", c as u32),
        c => format!("the non-ASCII character U+{:04X}", c as u32),
    };
    Err(format!(
        "The API key contains characters an HTTP header cannot carry ({what} at character {}). \
         Copy the key again without it.",
        pos + 1
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_safe_keys_pass() {
        for ok in ["", "   ", "abc123", "  k-e_y.~!#$%&'*+/=?^`|  ", "\tkey\r\n", "wv_AbC-123/xyz=="] {
            assert_eq!(check_api_key(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn keys_a_header_cannot_carry_are_explained() {
        let cases = [
            ("ab\r\nX-Evil: 1", "a line break at character 3"),
            ("a\nb", "a line break at character 2"),
            ("a\0b", "the control character U+0000 at character 2"),
            ("my key", "a space at character 3"),
            ("a\tb", "a tab at character 2"),
            ("k\u{a0}ey", "the invisible space U+00A0 at character 2"),
            ("ke€y", "the non-ASCII character U+20AC at character 3"),
            ("“key”", "the non-ASCII character U+201C at character 1"),
            ("k\u{7f}", "the control character U+007F at character 2"),
        ];
        for (key, why) in cases {
            let e = check_api_key(key).unwrap_err();
            assert!(e.starts_with("The API key contains characters an HTTP header cannot carry ("), "{e}");
            assert!(e.contains(why), "{key:?}: {e}");
        }
    }

    #[test]
    fn the_message_does_not_echo_the_key() {
        let e = check_api_key("secret-part é").unwrap_err();
        assert!(!e.contains("secret") && !e.contains('é'), "{e}");
    }
}
