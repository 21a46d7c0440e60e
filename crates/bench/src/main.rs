//! `soporte-bench`: throughput and latency of Soporte on SQLite and PostgreSQL.
//!
//! Eight scenarios:
//! * `tickets` fills a fresh database the way a busy helpdesk would, then measures the
//!   JSON API over real HTTP (see `tickets.rs`);
//! * `mail` takes a Maildir of realistic Spanish support e-mail in, end to end, through
//!   the same use case as IMAP and `soporte import mail` (see `mail/`), generating the
//!   corpus itself unless one is given (see `mail_corpus/`);
//! * `console` fills a SQLite database with 100,000 tickets, then measures the agent
//!   console's pages rendered by the server, signed in like an agent (see `console/`);
//! * `policy` measures the policy engine: classifier accuracy, checklist and urgency
//!   precision/recall on their labelled sets, and the time of one intake decision;
//! * `hostile` reads hostile input (nested HTML, MIME nesting and parts, headers, quoted and
//!   search text) at doubling sizes and shows how its cost grows (see `hostile.rs`);
//! * `portal` measures the customer portal's pages for the manager of an account with
//!   2,000 requests on the console's 100,000 tickets, and the live checklist (see
//!   `portal.rs`);
//! * `phone` POSTs CTI events from concurrent senders to a served instance and measures
//!   how many are stored per second, then the time from a `newCall` to its card on the
//!   called agent's open console stream with 50 phones ringing at once (see `phone.rs`);
//! * `whatsapp` POSTs signed webhook bodies from concurrent senders to a served instance
//!   and measures how many are kept per second, the answer's latency, and the intake of the
//!   kept bodies into tickets (see `whatsapp.rs`).
//!
//! Each figure is printed beside its target and marked PASS or MISS; the program is a
//! measurement, so a MISS does not change the exit code. Only errors (a failed request,
//! an unreachable database, an e-mail the use case refused with an error) do.

mod console;
mod hostile;
mod instance;
mod mail;
mod mail_corpus;
mod phone;
mod policy;
mod portal;
mod report;
mod tickets;
mod whatsapp;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "soporte-bench",
    about = "Throughput and latency figures for Soporte"
)]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Ticket creation through the store, then the ticket API over HTTP.
    Tickets(tickets::TicketsArgs),
    /// E-mail intake: a Maildir of support mail taken in end to end on a fresh database.
    Mail(mail::MailArgs),
    /// The agent console's pages on a database of 100,000 tickets.
    Console(console::ConsoleArgs),
    /// The policy engine: classifier accuracy, checklist and urgency precision/recall,
    /// and the time of one intake decision.
    Policy(policy::PolicyArgs),
    /// How the cost of reading hostile input grows with its size.
    Hostile(hostile::HostileArgs),
    /// The WhatsApp webhook: signed bodies kept per second from concurrent senders, the
    /// answer's latency, then the intake into tickets.
    Whatsapp(whatsapp::WhatsAppArgs),
    /// The phone channel: CTI events stored per second, and the time from a newCall to
    /// the called agent's card with many phones ringing at once.
    Phone(phone::PhoneArgs),
    /// The customer portal's pages for the manager of an account with 2,000 requests, on a
    /// database of 100,000 tickets, and the live checklist of the new-request form.
    Portal(portal::PortalArgs),
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().scenario {
        Scenario::Tickets(args) => tickets::run(args).await,
        Scenario::Mail(args) => mail::run(args).await,
        Scenario::Console(args) => console::run(args).await,
        Scenario::Policy(args) => policy::run(args),
        Scenario::Hostile(args) => hostile::run(args),
        Scenario::Whatsapp(args) => whatsapp::run(args).await,
        Scenario::Portal(args) => portal::run(args).await,
        Scenario::Phone(args) => phone::run(args).await,
    }
}
