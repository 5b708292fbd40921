//! How much of a server's text the console keeps. What a job or an error holds is shown, saved
//! in the journal (a few MB of `localStorage` for every server) and exported; a broken proxy's
//! 6 MB error page must not fill all three.

/// The most characters of one server string (an error text, an unknown status, a collection
/// name) that a job or an error keeps. Weaviate's own messages are a few hundred.
pub const MAX_SERVER_TEXT_CHARS: usize = 2_000;

/// `text` as kept: whole up to [`MAX_SERVER_TEXT_CHARS`] characters, else its beginning with
/// the cut marked, so nobody reads a cut message as the server's whole answer.
pub fn server_text(text: &str) -> String {
    match text.char_indices().nth(MAX_SERVER_TEXT_CHARS) {
        None => text.to_string(),
        Some((at, _)) => {
            let cut = text[at..].chars().count();
            let s = if cut == 1 { "" } else { "s" };
            format!("{}… [cut here: {cut} more character{s}]", &text[..at])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_server_text_is_cut_visibly() {
        assert_eq!(server_text("backup b0 already in progress"), "backup b0 already in progress");
        let exact = "é".repeat(MAX_SERVER_TEXT_CHARS);
        assert_eq!(server_text(&exact), exact, "at the limit nothing is cut");
        let page = format!("<html>{}", "x".repeat(6 * 1024 * 1024));
        let kept = server_text(&page);
        assert!(kept.starts_with("<html>xxx"));
        assert!(kept.ends_with(&format!("… [cut here: {} more characters]", page.len() - MAX_SERVER_TEXT_CHARS)), "{}", &kept[1_990..]);
        assert!(kept.chars().count() < MAX_SERVER_TEXT_CHARS + 50);
        // Multi-byte characters are never split.
        let wide = "€".repeat(MAX_SERVER_TEXT_CHARS + 1);
        assert_eq!(server_text(&wide), format!("{}… [cut here: 1 more character]", "€".repeat(MAX_SERVER_TEXT_CHARS)));
    }
}
