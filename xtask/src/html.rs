//! The edits of trunk's `index.html`, made on its `<link>` tags (whatever the order or quoting of
//! their attributes), and what the source `index.html` says about wasm-opt.

use std::ops::Range;

use anyhow::{bail, Context, Result};

use crate::digest::integrity;

/// A `<link>` tag: where it is in the page and its attributes.
pub struct Link<'a> {
    span: Range<usize>,
    attrs: Vec<Attr<'a>>,
}

struct Attr<'a> {
    name: &'a str,
    value: &'a str,
    /// Where the value is in the page (inside its quotes).
    value_span: Range<usize>,
}

impl<'a> Link<'a> {
    fn attr(&self, name: &str) -> Option<&Attr<'a>> {
        self.attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.attr(name).map(|a| a.value)
    }
}

/// Every `<link>` tag of `html`. An unterminated tag or attribute value is an error.
pub fn links(html: &str) -> Result<Vec<Link<'_>>> {
    let b = html.as_bytes();
    let space_or = |p: usize, also: &[u8]| b.get(p).is_some_and(|c| c.is_ascii_whitespace() || also.contains(c));
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find("<link") {
        let start = from + i;
        let mut p = start + "<link".len();
        if !space_or(p, b">/") {
            // `<linkx`: another element.
            from = p;
            continue;
        }
        let mut attrs = Vec::new();
        loop {
            while space_or(p, b"/") {
                p += 1;
            }
            match b.get(p) {
                None => bail!("unterminated <link> tag at byte {start}"),
                Some(b'>') => {
                    p += 1;
                    break;
                }
                Some(_) => {}
            }
            let name_start = p;
            while p < b.len() && !space_or(p, b"=>/") {
                p += 1;
            }
            let name = &html[name_start..p];
            while space_or(p, b"") {
                p += 1;
            }
            let value_span = if b.get(p) == Some(&b'=') {
                p += 1;
                while space_or(p, b"") {
                    p += 1;
                }
                match b.get(p) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let end = html[p + 1..].find(q as char).map(|e| p + 1 + e).with_context(|| format!("unterminated value of `{name}` in the <link> tag at byte {start}"))?;
                        let span = p + 1..end;
                        p = end + 1;
                        span
                    }
                    _ => {
                        let v = p;
                        while p < b.len() && !space_or(p, b">") {
                            p += 1;
                        }
                        v..p
                    }
                }
            } else {
                p..p
            };
            attrs.push(Attr { name, value: &html[value_span.clone()], value_span });
        }
        out.push(Link { span: start..p, attrs });
        from = p;
    }
    Ok(out)
}

/// The file in the bundle an `href` names: relative to the page, without query or fragment.
/// `None` for anything else (another origin, an absolute path, a way out of the bundle).
fn local_path(href: &str) -> Option<&str> {
    let path = href.split(['?', '#']).next()?;
    let path = path.strip_prefix("./").unwrap_or(path);
    (!path.is_empty() && !path.starts_with('/') && !path.contains(':') && !path.split('/').any(|s| s == "..")).then_some(path)
}

/// `html` without the `modulepreload` links of wasm-bindgen's snippets (`snippets/…`, here
/// src/panic_page.js): with them, headless Chromium now and then never fetches the wasm (seen
/// with two consoles loading at once). The snippet is still imported by the main module, one
/// round trip later. trunk 0.21 adds them with no setting to leave them out.
pub fn strip_snippet_preloads(html: &str) -> Result<String> {
    let mut out = html.to_owned();
    for link in links(html)?.iter().rev() {
        let snippet = link.get("href").and_then(local_path).is_some_and(|p| p.starts_with("snippets/"));
        if snippet && link.get("rel").is_some_and(|r| r.eq_ignore_ascii_case("modulepreload")) {
            out.replace_range(link.span.clone(), "");
        }
    }
    Ok(out)
}

/// `html` with the `integrity` of every link recomputed from the file it names, read by `read`
/// (a path relative to the page): after the build has changed a file trunk already hashed.
pub fn refresh_integrity(html: &str, read: impl Fn(&str) -> Result<Vec<u8>>) -> Result<String> {
    let mut out = html.to_owned();
    for link in links(html)?.iter().rev() {
        let Some(attr) = link.attr("integrity") else { continue };
        let href = link.get("href").unwrap_or_default();
        let path = local_path(href).with_context(|| format!("a link with integrity names `{href}`, not a file of the bundle"))?;
        let algorithm = attr.value.split('-').next().unwrap_or_default();
        let value = integrity(algorithm, &read(path)?).with_context(|| format!("integrity of `{href}`"))?;
        out.replace_range(attr.value_span.clone(), &value);
    }
    Ok(out)
}

/// The wasm-opt arguments trunk gives the main wasm in a release build, from the source page's
/// `<link data-trunk rel="rust">` (`data-wasm-opt`, `data-reference-types`,
/// `data-wasm-opt-params`), so the chunks are optimised alike. `None`: wasm-opt is off.
pub fn wasm_opt_args(source_html: &str) -> Result<Option<Vec<String>>> {
    let links = links(source_html)?;
    let rust: Vec<_> = links.iter().filter(|l| l.attr("data-trunk").is_some() && l.get("rel") == Some("rust")).collect();
    let [link] = rust[..] else { bail!("expected one <link data-trunk rel=\"rust\"> in the page, found {}", rust.len()) };
    // trunk's levels (trunk 0.21 src/pipelines/rust/wasm_opt.rs); unset is its release default.
    let level = match link.get("data-wasm-opt").unwrap_or_default() {
        "0" => return Ok(None),
        l @ ("" | "1" | "2" | "3" | "4") => l.to_owned(),
        l @ ("s" | "S" | "z" | "Z") => l.to_ascii_lowercase(),
        l => bail!("unknown data-wasm-opt level `{l}`"),
    };
    let mut args = vec![format!("-O{level}")];
    if link.attr("data-reference-types").is_some() {
        args.push("--enable-reference-types".into());
    }
    args.extend(link.get("data-wasm-opt-params").unwrap_or_default().split_whitespace().map(String::from));
    Ok(Some(args))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// trunk 0.21.14's head for this app (scripts/build.sh's output before any edit), shortened.
    const TRUNK_HEAD: &str = concat!(
        r#"<link rel="stylesheet" href="./main.css" integrity="sha384-old"/>"#,
        "\n    <script type=\"module\" src=\"./loader.js\"></script>\n  ",
        r#"<link rel="modulepreload" href="./backup-console.js" crossorigin="anonymous" integrity="sha384-old">"#,
        r#"<link rel="modulepreload" href="./snippets/backup-console-1083fce203f4c90e/src/panic_page.js" crossorigin="anonymous" integrity="sha384-old">"#,
        r#"<link rel="preload" href="./backup-console_bg.wasm" crossorigin="anonymous" integrity="sha384-old" as="fetch" type="application/wasm"></head>"#,
    );

    #[test]
    fn links_reads_attributes_in_any_order_and_quoting() {
        let html = r#"<linker x><link href='a.css' rel=stylesheet disabled><LINK><link
            integrity = "sha384-x" href="./b.js" />"#;
        let found = links(html).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].get("href"), Some("a.css"));
        assert_eq!(found[0].get("rel"), Some("stylesheet"));
        assert_eq!(found[0].get("disabled"), Some(""));
        assert_eq!(found[1].get("integrity"), Some("sha384-x"));
        assert_eq!(&html[found[1].span.clone()][..5], "<link");
        assert!(html[found[1].span.clone()].ends_with("/>"));
    }

    #[test]
    fn links_refuses_an_unterminated_tag() {
        assert!(links(r#"<link href="a.css""#).is_err());
        assert!(links(r#"<link href="a.css>"#).is_err());
    }

    #[test]
    fn local_path_keeps_files_of_the_bundle_only() {
        assert_eq!(local_path("./a/b.js?v=1#x"), Some("a/b.js"));
        assert_eq!(local_path("main.css"), Some("main.css"));
        for other in ["https://cdn/x.js", "/abs.js", "./../up.js", "", "./"] {
            assert_eq!(local_path(other), None, "{other}");
        }
    }

    #[test]
    fn strips_only_the_snippet_preloads() {
        let out = strip_snippet_preloads(TRUNK_HEAD).unwrap();
        assert!(!out.contains("snippets/"), "{out}");
        assert_eq!(out, TRUNK_HEAD.replace(r#"<link rel="modulepreload" href="./snippets/backup-console-1083fce203f4c90e/src/panic_page.js" crossorigin="anonymous" integrity="sha384-old">"#, ""));
        // Another attribute order (a nonce, say) does not hide one.
        let reordered = r#"<link nonce="n" href="./snippets/x/a.js" rel="modulepreload">"#;
        assert_eq!(strip_snippet_preloads(reordered).unwrap(), "");
    }

    #[test]
    fn refresh_integrity_rehashes_every_linked_file() {
        let read = |p: &str| Ok(p.as_bytes().to_vec());
        let out = refresh_integrity(TRUNK_HEAD, read).unwrap();
        for file in ["main.css", "backup-console.js", "backup-console_bg.wasm"] {
            assert!(out.contains(&format!("href=\"./{file}\"")));
            assert!(out.contains(&integrity("sha384", file.as_bytes()).unwrap()), "{file}: {out}");
        }
        assert!(!out.contains("sha384-old\""), "{out}");
        // Nothing but the values changed.
        assert_eq!(out.len() - TRUNK_HEAD.len(), out.matches("sha384-").count() * ("sha384-".len() + 64 - "sha384-old".len()));
    }

    #[test]
    fn refresh_integrity_refuses_what_it_cannot_read() {
        let read = |p: &str| if p == "main.css" { Ok(vec![]) } else { bail!("no {p}") };
        assert!(refresh_integrity(TRUNK_HEAD, read).is_err());
        let external = r#"<link rel="stylesheet" href="https://cdn/x.css" integrity="sha384-x">"#;
        assert!(refresh_integrity(external, |_| Ok(vec![])).is_err());
    }

    #[test]
    fn wasm_opt_args_follow_trunk() {
        let page = |attrs: &str| format!(r#"<link data-trunk rel="css" href="a.css" /><link data-trunk rel="rust" {attrs} data-bin="x" />"#);
        let args = |attrs: &str| wasm_opt_args(&page(attrs)).unwrap();
        assert_eq!(args(r#"data-wasm-opt="z" data-wasm-opt-params="--enable-bulk-memory  --enable-sign-ext""#), Some(vec!["-Oz".into(), "--enable-bulk-memory".into(), "--enable-sign-ext".into()]));
        assert_eq!(args(""), Some(vec!["-O".into()]));
        assert_eq!(args(r#"data-wasm-opt="S" data-reference-types"#), Some(vec!["-Os".into(), "--enable-reference-types".into()]));
        assert_eq!(args(r#"data-wasm-opt="0""#), None);
        assert!(wasm_opt_args(&page(r#"data-wasm-opt="fast""#)).is_err());
        assert!(wasm_opt_args("<link rel=\"rust\">").is_err());
    }

    #[test]
    fn wasm_opt_args_read_the_console_page() {
        let args = wasm_opt_args(include_str!("../../index.html")).unwrap().unwrap();
        assert_eq!(args[0], "-Oz");
        assert!(args.contains(&"--enable-bulk-memory".to_owned()));
    }
}
