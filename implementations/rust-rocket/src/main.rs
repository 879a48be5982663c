//! The users API of crud-conformance on Rocket 0.5.

mod api;
mod compression;
mod conditional;
mod cors;
mod events;
mod guards;
mod problem;
mod request_id;
mod shutdown;
mod tls;
mod users;

use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::process::ExitCode;

use rocket::config::{Config, LogLevel, Shutdown, Sig};
use rocket::data::{Limits, ToByteUnit};
use rocket::error::ErrorKind;
use rocket::figment::providers::Env;
use rocket::figment::Figment;

fn figment() -> Figment {
    Config::figment()
        // Rocket binds 127.0.0.1:8000; the contract wants 0.0.0.0:$PORT, PORT=8080 by default.
        .merge(("address", Ipv4Addr::UNSPECIFIED))
        .merge(("port", 8080))
        .merge(Env::raw().only(&["PORT"]).global()) // global, like the tuples above
        .merge(tls::from_env())
        // Bodies up to exactly 1 MiB (Rocket's default for `json`, made explicit).
        .merge(("limits", Limits::default().limit("json", 1.mebibytes())))
        .merge((
            "shutdown",
            Shutdown {
                // Rocket's grace is 2 s; the contract gives each in-flight request >= 10 s.
                grace: 30,
                // SIGTERM (docker stop) and SIGINT (ctrlc) both shut down gracefully.
                ctrlc: true,
                signals: HashSet::from([Sig::Term]),
                ..Shutdown::default()
            },
        ))
        // Release builds log only warnings; log each request, without colours or emoji.
        .merge(("log_level", LogLevel::Normal))
        .merge(("cli_colors", false))
}

#[rocket::main]
async fn main() -> ExitCode {
    let rocket = match api::build(figment()).ignite().await {
        Ok(rocket) => rocket,
        Err(error) => {
            eprintln!("{}", error.pretty_print());
            return ExitCode::FAILURE;
        }
    };
    let drained = shutdown::drained(rocket.shutdown(), rocket.config().port);

    rocket::tokio::select! {
        result = rocket.launch() => match result {
            Ok(_) => ExitCode::SUCCESS,
            // An uninspected shutdown error panics on drop (exit code 101): a shutdown
            // that was asked for but had to cut I/O after the grace period still exits 0.
            Err(error) if matches!(error.kind(), ErrorKind::Shutdown(..)) => {
                eprintln!("{}", error.pretty_print());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("{}", error.pretty_print());
                ExitCode::FAILURE
            }
        },
        // launch() would wait out the whole grace period: see shutdown.rs.
        () = drained => ExitCode::SUCCESS,
    }
}
