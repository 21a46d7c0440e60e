//! The `soporte` binary: configuration, command line, HTTP server and wiring.

mod cli;
mod import;
mod mail_adapter;
mod serve;
mod workers;

use clap::Parser;
use soporte::config;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("soporte: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("soporte: {e:#}");
            ExitCode::FAILURE
        }
    }
}
