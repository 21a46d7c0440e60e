//! What of the `soporte` binary other programs need: reading its configuration, for the
//! fuzzing targets and the tests that feed it hostile files.

pub mod config;
