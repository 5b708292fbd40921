//! `dist`: the release bundle. trunk builds it; with `--split`, trunk's wasm-bindgen is the split
//! step (src/bindgen.rs), and the chunks it leaves are optimised, versioned and copied in; then
//! the page's links are fixed (the snippets' preloads out, every integrity recomputed).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

use crate::bindgen::{REAL_ENV, SPLIT_DIR_ENV};
use crate::digest::{add_version, content_version};
use crate::html::{refresh_integrity, strip_snippet_preloads, wasm_opt_args};
use crate::run_checked;

/// The split's loader, written by wasm-split-cli and imported by wasm-bindgen's main module.
const LOADER: &str = "__wasm_split.js";

/// Builds the bundle: `[--split] [trunk build options…]`.
pub fn run(args: Vec<String>) -> Result<ExitCode> {
    let (split, trunk_args) = match args.split_first() {
        Some((first, rest)) if first == "--split" => (true, rest.to_vec()),
        _ => (false, args),
    };
    let config = TrunkConfig::parse(&read_text(Path::new("Trunk.toml"))?)?;
    let dist = dist_dir(&trunk_args, std::env::var("TRUNK_BUILD_DIST").ok()).unwrap_or(config.dist);
    let work = WorkDir::create()?;
    let mut trunk = Command::new("trunk");
    trunk.args(["build", "--release"]).args(&trunk_args);
    if split {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let real = find_program("wasm-bindgen", &path).context("wasm-bindgen is not on PATH (scripts/setup.sh installs it)")?;
        // The split step is this program under wasm-bindgen's name, first on trunk's PATH: built
        // before the build and called directly, so neither cargo nor the nightly's flags are
        // involved while trunk runs it.
        let bin = work.path.join("bin");
        std::fs::create_dir_all(&bin)?;
        std::os::unix::fs::symlink(std::env::current_exe()?, bin.join("wasm-bindgen")).context("installing the split step")?;
        let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&path)))?;
        // `split` compiles src/dashboard.rs's `#[wasm_split]`; wasm-split-cli needs the relocations.
        let var = "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS";
        let rustflags = format!("{} --cfg split -Clink-arg=--emit-relocs", std::env::var(var).unwrap_or_default());
        trunk.env("PATH", path).env(REAL_ENV, real).env(SPLIT_DIR_ENV, work.split()).env(var, rustflags.trim_start());
        println!("release build: dashboard split into its own chunk");
    }
    run_checked(&mut trunk)?;
    if split {
        let opt = wasm_opt_args(&read_text(&config.target)?)?;
        add_chunks(&work.split(), &dist, opt.as_deref())?;
    }
    let index = dist.join("index.html");
    let html = strip_snippet_preloads(&read_text(&index)?)?;
    let html = refresh_integrity(&html, |p| read(&dist.join(p)))?;
    std::fs::write(&index, html).with_context(|| format!("writing {}", index.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// What the build reads from Trunk.toml, with trunk's defaults.
#[derive(Debug, PartialEq)]
struct TrunkConfig {
    dist: PathBuf,
    /// The source page.
    target: PathBuf,
}

impl TrunkConfig {
    fn parse(text: &str) -> Result<Self> {
        let table: toml::Table = text.parse().context("Trunk.toml")?;
        let build = table.get("build").and_then(|b| b.as_table());
        let get = |key: &str, default: &str| -> Result<PathBuf> {
            match build.and_then(|b| b.get(key)) {
                None => Ok(default.into()),
                Some(v) => Ok(v.as_str().with_context(|| format!("Trunk.toml: build.{key} is not a string"))?.into()),
            }
        };
        Ok(Self { dist: get("dist", "dist")?, target: get("target", "index.html")? })
    }
}

/// Where trunk writes the bundle when given `args` (`--dist DIR`, `--dist=DIR`, `-d DIR`) or
/// `env` (`TRUNK_BUILD_DIST`); `None`: Trunk.toml's.
fn dist_dir(args: &[String], env: Option<String>) -> Option<PathBuf> {
    let mut found = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--dist" || arg == "-d" {
            found = args.next().cloned();
        } else if let Some(v) = arg.strip_prefix("--dist=").or_else(|| arg.strip_prefix("-d=")) {
            found = Some(v.to_owned());
        }
    }
    found.or(env).map(PathBuf::from)
}

/// Copies what the split step left in `split` into `dist`: each chunk optimised with `opt` as
/// trunk does the main wasm (`None`: as it is), the loader as it is. Then every reference to them
/// carries the content version of what it loads: their names are stable, but a chunk from another
/// build must never meet this main module (it addresses the main module's memory and function
/// table directly), so no cache can mix two builds.
fn add_chunks(split: &Path, dist: &Path, opt: Option<&[String]>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(split).with_context(|| format!("the split step left nothing in {} (did trunk run it?)", split.display()))?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    let mut chunks = Vec::new();
    for entry in entries {
        let name = entry.file_name().into_string().map_err(|n| anyhow::anyhow!("unexpected file name {n:?} in the split"))?;
        let (from, to) = (entry.path(), dist.join(&name));
        if !entry.file_type()?.is_file() {
            bail!("unexpected directory {} in the split", from.display());
        }
        match opt.filter(|_| name.ends_with(".wasm")) {
            Some(opt) => optimise(&from, &to, opt)?,
            None => {
                std::fs::copy(&from, &to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
            }
        }
        if name.ends_with(".wasm") {
            chunks.push(name);
        }
    }
    if chunks.is_empty() {
        bail!("the split step left no chunk in {}", split.display());
    }
    let loader_path = dist.join(LOADER);
    let mut loader = read_text(&loader_path)?;
    for chunk in &chunks {
        loader = add_version(&loader, "", chunk, &content_version(&read(&dist.join(chunk))?)).with_context(|| format!("in {LOADER}"))?;
    }
    std::fs::write(&loader_path, &loader)?;
    // (The import only: the imports object keeps the module name the wasm asks for.)
    let main = main_module(dist)?;
    let text = add_version(&read_text(&main)?, "from ", LOADER, &content_version(loader.as_bytes())).with_context(|| format!("in {}", main.display()))?;
    std::fs::write(&main, text)?;
    Ok(())
}

/// The one script of `dist` that imports the split's loader: wasm-bindgen's main module.
fn main_module(dist: &Path) -> Result<PathBuf> {
    let import = format!("\"./{LOADER}\"");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "js") && path.file_name().is_some_and(|n| n != LOADER) && read_text(&path)?.contains(&import) {
            found.push(path);
        }
    }
    match <[_; 1]>::try_from(found) {
        Ok([main]) => Ok(main),
        Err(found) => bail!("expected one script importing {LOADER} in {}, found {found:?}", dist.display()),
    }
}

/// wasm-opt `from` into `to`, without its warning about the split's name section (which it
/// drops anyway).
fn optimise(from: &Path, to: &Path, opt: &[String]) -> Result<()> {
    let out = Command::new("wasm-opt").args(opt).arg(from).arg("-o").arg(to).output().context("running wasm-opt")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stderr.lines().filter(|l| !l.contains("unknown name subsection")) {
        eprintln!("{line}");
    }
    if !out.status.success() {
        bail!("wasm-opt {} failed ({})", from.display(), out.status);
    }
    Ok(())
}

/// The first executable `name` in `path` (a PATH value).
fn find_program(name: &str, path: &OsString) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(path).map(|d| d.join(name)).find(|p| p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// The build's private directory (the split step's PATH entry and output), removed after.
struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    fn create() -> Result<Self> {
        let path = std::env::temp_dir().join(format!("backup-console-xtask-{}", std::process::id()));
        // (One left by an earlier process of the same id.)
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Self { path })
    }

    fn split(&self) -> PathBuf {
        self.path.join("split")
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::integrity;
    use crate::html::links;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| a.to_string()).collect()
    }

    /// A fresh directory for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn trunk_config_reads_dist_and_target_with_trunks_defaults() {
        let config = TrunkConfig::parse(include_str!("../../Trunk.toml")).unwrap();
        assert_eq!(config, TrunkConfig { dist: "dist".into(), target: "index.html".into() });
        let other = TrunkConfig::parse("[build]\ndist = \"out\"\ntarget = \"app/page.html\"\n").unwrap();
        assert_eq!(other, TrunkConfig { dist: "out".into(), target: "app/page.html".into() });
        assert_eq!(TrunkConfig::parse("").unwrap(), TrunkConfig { dist: "dist".into(), target: "index.html".into() });
        assert!(TrunkConfig::parse("[build]\ndist = 1").is_err());
        assert!(TrunkConfig::parse("[build").is_err());
    }

    #[test]
    fn dist_dir_follows_trunks_options() {
        assert_eq!(dist_dir(&strings(&["--offline", "--dist", "target/d"]), None), Some("target/d".into()));
        assert_eq!(dist_dir(&strings(&["--dist=a", "--offline"]), Some("env".into())), Some("a".into()));
        assert_eq!(dist_dir(&strings(&["-d", "b"]), None), Some("b".into()));
        assert_eq!(dist_dir(&strings(&["--offline"]), Some("env".into())), Some("env".into()));
        assert_eq!(dist_dir(&strings(&["--offline"]), None), None);
    }

    #[test]
    fn find_program_takes_the_first_executable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("path");
        let (a, b) = (dir.join("a"), dir.join("b"));
        for d in [&a, &b] {
            std::fs::create_dir_all(d).unwrap();
            std::fs::write(d.join("tool"), "").unwrap();
        }
        std::fs::set_permissions(b.join("tool"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths([&a, &b]).unwrap();
        assert_eq!(find_program("tool", &path), Some(b.join("tool")));
        assert_eq!(find_program("other", &path), None);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn add_chunks_copies_and_versions_the_split() {
        let dir = scratch("chunks");
        let (split, dist) = (dir.join("split"), dir.join("dist"));
        std::fs::create_dir_all(&split).unwrap();
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(split.join("split_dashboard.wasm"), b"\0asm chunk").unwrap();
        std::fs::write(split.join(LOADER), "const src = fetch(new URL(\"./split_dashboard.wasm\", import.meta.url));").unwrap();
        std::fs::write(dist.join("backup-console.js"), "import * as import2 from \"./__wasm_split.js\"\nconst imports = { \"./__wasm_split.js\": import2 };").unwrap();
        std::fs::write(dist.join("loader.js"), "import init from \"./backup-console.js\";").unwrap();

        add_chunks(&split, &dist, None).unwrap();

        assert_eq!(std::fs::read(dist.join("split_dashboard.wasm")).unwrap(), b"\0asm chunk");
        let loader = std::fs::read_to_string(dist.join(LOADER)).unwrap();
        assert_eq!(loader, format!("const src = fetch(new URL(\"./split_dashboard.wasm?v={}\", import.meta.url));", content_version(b"\0asm chunk")));
        let main = std::fs::read_to_string(dist.join("backup-console.js")).unwrap();
        assert_eq!(main, format!("import * as import2 from \"./__wasm_split.js?v={}\"\nconst imports = {{ \"./__wasm_split.js\": import2 }};", content_version(loader.as_bytes())));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn add_chunks_refuses_an_empty_split() {
        let dir = scratch("empty");
        let error = |split: &Path| format!("{:#}", add_chunks(split, &dir, None).unwrap_err());
        assert!(error(&dir.join("none")).contains("left nothing"));
        // A loader and a main module, but no chunk.
        let split = dir.join("split");
        std::fs::create_dir_all(&split).unwrap();
        std::fs::write(split.join(LOADER), "").unwrap();
        std::fs::write(dir.join("backup-console.js"), "import * as import2 from \"./__wasm_split.js\"").unwrap();
        assert!(error(&split).contains("no chunk"), "{}", error(&split));
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// The page trunk wrote, edited as `run` does, against the real files.
    #[test]
    fn the_page_edits_leave_every_integrity_true() {
        let dist = scratch("page");
        for (name, body) in [("main.css", "body{}"), ("backup-console.js", "export default 1;"), ("backup-console_bg.wasm", "\0asm")] {
            std::fs::write(dist.join(name), body).unwrap();
        }
        let page = concat!(
            r#"<link rel="stylesheet" href="./main.css" integrity="sha384-j+RCKIQAPXMwhl6PQBmwPwkzkEj4DmjxsircgpOpOmojPmK2f+e6MQUKxwVTTjBr"/>"#,
            r#"<link rel="modulepreload" href="./backup-console.js" crossorigin="anonymous" integrity="sha384-L4Oq46kg1F6No8DzCx+LYJZ9jY09ZY4fnSRrf4Mw4tJVJOS4/46WyVeBkHG3nL4s">"#,
            r#"<link rel="modulepreload" href="./snippets/backup-console-1083fce203f4c90e/src/panic_page.js" crossorigin="anonymous" integrity="sha384-x">"#,
            r#"<link rel="preload" href="./backup-console_bg.wasm" crossorigin="anonymous" integrity="sha384-y" as="fetch" type="application/wasm"></head>"#,
        );
        let html = strip_snippet_preloads(page).unwrap();
        let html = refresh_integrity(&html, |p| read(&dist.join(p))).unwrap();
        let found = links(&html).unwrap();
        assert_eq!(found.len(), 3);
        for link in found {
            let file = std::fs::read(dist.join(link.get("href").unwrap())).unwrap();
            assert_eq!(link.get("integrity").unwrap(), integrity("sha384", &file).unwrap());
        }
        std::fs::remove_dir_all(dist).unwrap();
    }
}
