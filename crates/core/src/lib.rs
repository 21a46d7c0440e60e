//! The domain of Soporte: accounts, contacts, agents, tickets, messages and their
//! history, with the rules that govern them. Everything here is pure: no I/O, no async,
//! so every rule can be checked with a table of cases.

pub mod auth;
pub mod directory;
pub mod email;
pub mod error;
pub mod ids;
pub mod limits;
pub mod phone;
pub mod policy;
pub mod search;
pub mod support;
pub mod text;
pub mod ticket;
pub mod time;
pub mod whatsapp;

pub use error::ValidationError;
