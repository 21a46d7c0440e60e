//! What of the `soporte` binary other programs need: reading its configuration, for the
//! fuzzing targets and the tests that feed it hostile files; the Graph API wired into the
//! WhatsApp use cases, for the tests that run them against a stand-in.

pub mod config;
pub mod whatsapp_cloud;
