//! Content versions and Subresource Integrity values.

use anyhow::{bail, Result};
use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::{Digest, Sha256, Sha384, Sha512};

/// The version a reference carries (`?v=…`): 16 hex digits of the content's SHA-256, enough that
/// no two builds' files share one.
pub fn content_version(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// An `integrity` value (`sha384-…`) for `bytes`, with the algorithm of the value it replaces.
pub fn integrity(algorithm: &str, bytes: &[u8]) -> Result<String> {
    let digest = match algorithm {
        "sha256" => Sha256::digest(bytes).to_vec(),
        "sha384" => Sha384::digest(bytes).to_vec(),
        "sha512" => Sha512::digest(bytes).to_vec(),
        _ => bail!("unknown integrity algorithm `{algorithm}`"),
    };
    Ok(format!("{algorithm}-{}", STANDARD.encode(digest)))
}

/// `text` with its one reference `{before}"./{name}"` made `{before}"./{name}?v={version}"`.
/// Exactly one: a generator that writes the reference differently must stop the build, not leave
/// a file that another build's copy could stand in for.
pub fn add_version(text: &str, before: &str, name: &str, version: &str) -> Result<String> {
    let reference = format!("{before}\"./{name}\"");
    match text.matches(&reference).count() {
        1 => Ok(text.replacen(&reference, &format!("{before}\"./{name}?v={version}\""), 1)),
        n => bail!("expected one reference {reference}, found {n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_version_is_the_start_of_sha256() {
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223…
        assert_eq!(content_version(b"abc"), "ba7816bf8f01cfea");
    }

    #[test]
    fn integrity_matches_known_values() {
        // The SRI spec's and openssl's values for "abc".
        assert_eq!(integrity("sha384", b"abc").unwrap(), "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn");
        assert_eq!(integrity("sha256", b"abc").unwrap(), "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
        assert!(integrity("md5", b"abc").is_err());
    }

    #[test]
    fn add_version_rewrites_the_one_reference() {
        let js = "import * as import2 from \"./__wasm_split.js\"\nconst imports = { \"./__wasm_split.js\": import2 };";
        assert_eq!(
            add_version(js, "from ", "__wasm_split.js", "0123").unwrap(),
            "import * as import2 from \"./__wasm_split.js?v=0123\"\nconst imports = { \"./__wasm_split.js\": import2 };"
        );
        let loader = "fetch(new URL(\"./split_dashboard.wasm\", import.meta.url))";
        assert_eq!(add_version(loader, "", "split_dashboard.wasm", "ab").unwrap(), "fetch(new URL(\"./split_dashboard.wasm?v=ab\", import.meta.url))");
    }

    #[test]
    fn add_version_refuses_none_or_several() {
        assert!(add_version("import x from './__wasm_split.js'", "from ", "__wasm_split.js", "1").is_err());
        assert!(add_version("\"./a.wasm\" \"./a.wasm\"", "", "a.wasm", "1").is_err());
    }
}
