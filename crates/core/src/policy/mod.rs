//! The support policy as decisions: pure functions from data to data.

pub mod routing;
