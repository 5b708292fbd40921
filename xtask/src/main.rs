//! The release build's program (`scripts/build.sh` runs it): what trunk cannot do itself, as
//! tested functions instead of sed over trunk's output.
//!
//! - `xtask dist [--split] [trunk build options…]`: the release bundle (src/dist.rs).
//! - Run as `wasm-bindgen` (a link `dist` puts first on trunk's PATH): the split step
//!   (src/bindgen.rs).

mod bindgen;
mod digest;
mod dist;
mod html;

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let mut args = std::env::args_os().map(|a| a.into_string().map_err(|a| anyhow::anyhow!("argument {a:?} is not UTF-8")));
    let program = args.next().context("no program name")??;
    let args: Vec<String> = args.collect::<Result<_>>()?;
    if Path::new(&program).file_name().is_some_and(|n| n == "wasm-bindgen") {
        return bindgen::intercept(args);
    }
    match args.split_first() {
        Some((command, rest)) if command == "dist" => {
            // Trunk.toml, index.html and relative --dist are the workspace's, wherever cargo ran.
            std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).context("entering the workspace")?;
            dist::run(rest.to_vec())
        }
        _ => bail!("usage: xtask dist [--split] [trunk build options…]"),
    }
}

/// Runs `command`; its failure is an error.
fn run_checked(command: &mut Command) -> Result<()> {
    let program = Path::new(command.get_program()).display().to_string();
    let status = command.status().with_context(|| format!("running {program}"))?;
    if !status.success() {
        bail!("{program} failed ({status})");
    }
    Ok(())
}
