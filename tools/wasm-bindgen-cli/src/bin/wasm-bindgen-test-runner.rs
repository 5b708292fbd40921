// The same entry point as wasm-bindgen-cli's own `wasm-bindgen-test-runner` (the wasm32 target's
// test runner in .cargo/config.toml).
fn main() -> anyhow::Result<()> {
    env_logger::init();
    wasm_bindgen_cli::wasm_bindgen_test_runner::run_cli_with_args(std::env::args_os())
}
