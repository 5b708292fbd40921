//! Debian's nginx (installed by `scripts/setup.sh`) as a child process with a configuration of
//! the test's own, for serving deployment examples exactly as the README shows them.

use std::path::PathBuf;
use std::time::Duration;

use crate::storage::Emulator;
use crate::{free_port, repo_root};

/// One nginx on a free loopback port, stopped (and its folder removed, unless the thread is
/// panicking) on drop.
pub struct Nginx {
    pub url: String,
    home: PathBuf,
    _process: Emulator,
}

impl Nginx {
    /// Serves `server` (directives of a `server { }` block, e.g. a pasted `location`) in the `http`
    /// context of Debian's default `nginx.conf`: its MIME map, `application/octet-stream` for the
    /// rest. One process (`master_process off`), so nothing outlives it.
    pub fn start(server: &str) -> Nginx {
        let port = free_port();
        let home = repo_root().join(".work/nginx").join(format!("{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        let dir = home.join("nginx");
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.display();
        let conf = format!(
            "daemon off;\nmaster_process off;\nerror_log stderr;\npid {d}/nginx.pid;\nevents {{}}\nhttp {{\n\
             include /etc/nginx/mime.types;\ndefault_type application/octet-stream;\naccess_log {d}/access.log;\n\
             client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n\
             uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
             server {{\nlisten 127.0.0.1:{port};\n{server}\n}}\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let conf = dir.join("nginx.conf");
        let mut process = Emulator::spawn(
            "nginx",
            std::path::Path::new("/usr/sbin/nginx"),
            &["-p", &dir.display().to_string(), "-e", "stderr", "-c", &conf.display().to_string()],
            port,
            &home,
        );
        process.wait_listening(Duration::from_secs(10));
        Nginx { url: process.url(), home, _process: process }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("nginx's configuration and logs kept in {}", self.home.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.home);
        }
    }
}
