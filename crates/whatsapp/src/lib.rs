//! WhatsApp Business Cloud API adapter (tmp)
pub mod signature;
mod content;
pub mod webhook;
pub mod error;
pub mod reasons;
pub mod graph;
pub mod standin;
