// Starts the console. A file of its own instead of trunk's inline loader, so the page runs
// under a Content-Security-Policy without 'unsafe-inline' (script-src 'self' 'wasm-unsafe-eval').
// Paths are relative to this file: the bundle works under any sub-path.
import init from "./backup-console.js";

await init({ module_or_path: new URL("./backup-console_bg.wasm", import.meta.url) });
