//! The support policy as decisions: pure functions from data to data.

pub mod channels;
pub mod checklist;
pub mod classifier;
pub mod intake;
pub mod labelled;
pub mod routing;
pub mod rules;
pub mod service_level;
pub mod sla;
pub mod text;
pub mod urgency;
