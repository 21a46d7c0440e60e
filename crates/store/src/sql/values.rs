//! Values as both databases keep them: microsecond times, JSON as text, enums by name,
//! who did something as a kind and an id.

use crate::{Result, StoreError};
use jiff::Timestamp;
use soporte_core::ids::{AgentId, ContactId};
use soporte_core::ticket::Actor;
use soporte_core::time::{from_micros, to_micros};

/// Current time at the precision the database keeps, so what is returned equals what a
/// later read gives back.
pub(super) fn now() -> Timestamp {
    from_micros(to_micros(Timestamp::now()))
}

pub(super) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub(super) fn parse<T: std::str::FromStr>(raw: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    raw.parse::<T>().map_err(corrupt)
}

pub(super) fn json_of<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(corrupt)
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T> {
    serde_json::from_str(raw).map_err(corrupt)
}

pub(super) fn opt_ts(micros: Option<i64>) -> Option<Timestamp> {
    micros.map(from_micros)
}

pub(super) fn actor_parts(actor: Actor) -> (&'static str, Option<i64>) {
    match actor {
        Actor::Agent(id) => ("agent", Some(id.0)),
        Actor::Contact(id) => ("contact", Some(id.0)),
        Actor::System => ("system", None),
    }
}

pub(super) fn actor_from(kind: &str, id: Option<i64>) -> Result<Actor> {
    match (kind, id) {
        ("agent", Some(id)) => Ok(Actor::Agent(AgentId(id))),
        ("contact", Some(id)) => Ok(Actor::Contact(ContactId(id))),
        ("system", _) => Ok(Actor::System),
        (other, _) => Err(corrupt(format!("actor {other:?} without id"))),
    }
}
