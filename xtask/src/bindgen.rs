//! The split step, run by trunk as its `wasm-bindgen`: trunk has no step between cargo and
//! wasm-bindgen, so `dist` (src/dist.rs) puts this program first on trunk's PATH under that name.
//! It cuts the `#[wasm_split]` chunks (src/dashboard.rs) out of cargo's wasm with
//! wasm-split-cli, then runs the real wasm-bindgen on the main part; the chunks and their loader
//! are left in the split directory for `dist` to optimise and copy into the bundle.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

use crate::run_checked;

/// The real wasm-bindgen, for the split step (set by `dist`).
pub const REAL_ENV: &str = "XTASK_REAL_WASM_BINDGEN";
/// Where the split step leaves the chunks and their loader (set by `dist`).
pub const SPLIT_DIR_ENV: &str = "XTASK_SPLIT_DIR";

/// What the split step needs from trunk's wasm-bindgen arguments.
#[derive(Debug, PartialEq)]
struct Call {
    /// cargo's wasm.
    input: String,
    /// The base name of wasm-bindgen's output (`backup-console`).
    out_name: String,
    /// The arguments without the input, for the real wasm-bindgen.
    rest: Vec<String>,
}

/// Reads trunk's call (`--target=web --out-dir=… --out-name=… app.wasm --no-typescript`, each
/// option also as two arguments). Anything else is refused: a trunk that calls wasm-bindgen
/// otherwise stops the build instead of getting a bundle without its split.
fn parse(args: &[String]) -> Result<Call> {
    let (mut input, mut out_name, mut target, mut rest) = (None, None, None, Vec::new());
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (name, value) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        if matches!(name, "--out-dir" | "--out-name" | "--target") {
            rest.push(arg.clone());
            let value = match value {
                Some(v) => v,
                None => {
                    let v = args.next().with_context(|| format!("{name} without a value"))?;
                    rest.push(v.clone());
                    v.clone()
                }
            };
            match name {
                "--out-name" => out_name = Some(value),
                "--target" => target = Some(value),
                _ => {}
            }
        } else if arg.starts_with('-') {
            rest.push(arg.clone());
        } else if arg.ends_with(".wasm") && input.is_none() {
            input = Some(arg.clone());
        } else {
            bail!("unexpected argument `{arg}`");
        }
    }
    // The split loader (__wasm_split.js) imports the `web` target's initSync.
    if target.as_deref().is_some_and(|t| t != "web") {
        bail!("the split needs wasm-bindgen's web target, trunk asked for `{}`", target.unwrap_or_default());
    }
    Ok(Call {
        input: input.context("no input wasm")?,
        out_name: out_name.context("no --out-name")?,
        rest,
    })
}

/// Runs as trunk's `wasm-bindgen`.
pub fn intercept(args: Vec<String>) -> Result<ExitCode> {
    let real = std::env::var_os(REAL_ENV).context("this is the split step of the release build (scripts/build.sh), run by trunk there; the real wasm-bindgen is not set")?;
    // trunk checks the version of the wasm-bindgen it finds against Cargo.lock.
    if args.iter().any(|a| a == "--version" || a == "-V") {
        return Err(Command::new(real).args(&args).exec().into());
    }
    let split = PathBuf::from(std::env::var_os(SPLIT_DIR_ENV).context("the split directory is not set")?);
    let call = parse(&args).with_context(|| format!("split wasm-bindgen: trunk's arguments {args:?}"))?;
    if split.exists() {
        std::fs::remove_dir_all(&split).with_context(|| format!("clearing {}", split.display()))?;
    }
    std::fs::create_dir_all(&split).with_context(|| format!("creating {}", split.display()))?;
    run_checked(Command::new("wasm-split-cli").arg(&call.input).arg(&split).args(["--target", "web", "--out-name", &call.out_name]))?;
    let main = split.join(format!("{}.wasm", call.out_name));
    // --keep-lld-exports, as cargo-leptos does: what the chunk imports from the main module (its
    // function table, memory, stack pointer) stays exported.
    run_checked(Command::new(real).arg("--keep-lld-exports").args(&call.rest).arg(&main))?;
    // What is left is what the bundle needs.
    std::fs::remove_file(&main).with_context(|| format!("removing {}", main.display()))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn parses_trunks_call() {
        // trunk 0.21.14 (src/pipelines/rust/mod.rs) for this app.
        let args = strings(&["--target=web", "--out-dir=/w/target/wasm-bindgen/release", "--out-name=backup-console", "/w/target/wasm32-unknown-unknown/release/backup-console.wasm", "--no-typescript"]);
        assert_eq!(
            parse(&args).unwrap(),
            Call {
                input: "/w/target/wasm32-unknown-unknown/release/backup-console.wasm".into(),
                out_name: "backup-console".into(),
                rest: strings(&["--target=web", "--out-dir=/w/target/wasm-bindgen/release", "--out-name=backup-console", "--no-typescript"]),
            }
        );
    }

    #[test]
    fn parses_options_given_as_two_arguments() {
        let args = strings(&["--out-name", "app", "--target", "web", "app.wasm", "--keep-debug"]);
        let call = parse(&args).unwrap();
        assert_eq!((call.input.as_str(), call.out_name.as_str()), ("app.wasm", "app"));
        assert_eq!(call.rest, strings(&["--out-name", "app", "--target", "web", "--keep-debug"]));
    }

    #[test]
    fn refuses_what_it_cannot_split() {
        for args in [
            &["--out-name=app"][..],
            &["app.wasm"],
            &["--out-name=app", "app.wasm", "other.wasm"],
            &["--out-name=app", "app.wasm", "stray"],
            &["--target=bundler", "--out-name=app", "app.wasm"],
            &["app.wasm", "--out-name"],
        ] {
            assert!(parse(&strings(args)).is_err(), "{args:?}");
        }
    }
}
