//! Zammad's generic CTI format: the events a phone system posts about each call
//! (`newCall`, `answer`, `hangup`), as form fields or a JSON object. Every field arrives as
//! text; reading them here checks each one, so a call is only ever changed by an event
//! that makes sense whole.

use super::number::{CallNumber, NumberError, NumberingPlan, read_call_number};
use crate::string_enum;
use thiserror::Error;

string_enum!(
    /// What happened to a call.
    CtiEventKind {
        NewCall => "newCall",
        Answer => "answer",
        Hangup => "hangup",
    }
);

string_enum!(
    /// `in`: a customer calls support; `out`: an agent calls a customer.
    CallDirection {
        In => "in",
        Out => "out",
    }
);

string_enum!(
    /// Why a call ended, in the phone system's words.
    HangupCause {
        /// One side hung up after they had talked.
        NormalClearing => "normalClearing",
        /// The called line was busy.
        Busy => "busy",
        /// The caller hung up before anyone answered.
        Cancel => "cancel",
        /// The called side turned the call down (do not disturb).
        NoAnswer => "noAnswer",
        /// The called side could not be reached.
        Congestion => "congestion",
        /// The number does not exist, or the called side is offline.
        NotFound => "notFound",
        /// The call was passed on to someone else.
        Forwarded => "forwarded",
    }
);

/// A call id longer than this is not one a phone system made.
pub const MAX_CALL_ID_CHARS: usize = 200;
/// Names, queues and answering numbers are short texts.
pub const MAX_CTI_FIELD_CHARS: usize = 200;
/// A call rings at most this many people at once.
pub const MAX_CTI_USERS: usize = 50;
/// More fields than any phone system sends: the body is not a CTI event.
const MAX_FIELDS: usize = 200;

/// One event about a call, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtiEvent {
    pub kind: CtiEventKind,
    /// The phone system's id of the call, the same on all its events.
    pub call_id: String,
    pub direction: CallDirection,
    /// Who placed the call. Absent on an `answer` or `hangup` that did not repeat it.
    pub from: Option<CallNumber>,
    /// Who was called.
    pub to: Option<CallNumber>,
    /// The people involved: for an incoming call those it rings, for an outgoing one the
    /// caller.
    pub users: Vec<String>,
    pub queue: Option<String>,
    /// Who picked up, as the phone system names them: a number, a login or an id.
    pub answering_number: Option<String>,
    pub cause: Option<HangupCause>,
}

/// Why an event was refused; `field` names the offending input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct CtiError {
    pub field: String,
    pub message: String,
}

impl CtiError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// The fields of one event, by name; `user` and `user[]` are one list.
struct Fields<'a> {
    pairs: &'a [(String, String)],
}

impl<'a> Fields<'a> {
    /// The one value of a field, under any of its names. The same field given twice with
    /// different values is refused: which one the phone system meant cannot be known.
    fn one(&self, names: &[&str]) -> Result<Option<&'a str>, CtiError> {
        let mut found: Option<&'a str> = None;
        for (key, value) in self.pairs {
            if names.contains(&key.as_str()) {
                match found {
                    Some(earlier) if earlier != value => {
                        return Err(CtiError::new(
                            names[0],
                            "is given twice, with different values",
                        ));
                    }
                    _ => found = Some(value),
                }
            }
        }
        Ok(found)
    }

    fn required(&self, names: &[&str]) -> Result<&'a str, CtiError> {
        match self.one(names)?.map(str::trim) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(CtiError::new(names[0], "is required")),
        }
    }

    fn all(&self, names: &[&str]) -> impl Iterator<Item = &'a str> {
        self.pairs
            .iter()
            .filter(move |(key, _)| names.contains(&key.as_str()))
            .map(|(_, value)| value.as_str())
    }
}

/// A short text as kept: one line, trimmed, at most [`MAX_CTI_FIELD_CHARS`] characters.
fn short_text(field: &str, raw: &str) -> Result<Option<String>, CtiError> {
    if raw.chars().count() > MAX_CTI_FIELD_CHARS {
        return Err(CtiError::new(
            field,
            format!("has at most {MAX_CTI_FIELD_CHARS} characters"),
        ));
    }
    let text: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim();
    Ok((!text.is_empty()).then(|| text.to_string()))
}

fn number(
    field: &str,
    raw: Option<&str>,
    plan: NumberingPlan,
) -> Result<Option<CallNumber>, CtiError> {
    let Some(raw) = raw else { return Ok(None) };
    read_call_number(raw, plan)
        .map(Some)
        .map_err(|e: NumberError| CtiError::new(field, e.to_string()))
}

impl CtiEvent {
    /// Reads an event from its fields as the phone system sent them (form fields in order,
    /// or a JSON object's members with each list item as its own pair).
    pub fn from_fields(pairs: &[(String, String)], plan: NumberingPlan) -> Result<Self, CtiError> {
        if pairs.len() > MAX_FIELDS {
            return Err(CtiError::new(
                "body",
                format!("has more than {MAX_FIELDS} fields"),
            ));
        }
        let fields = Fields { pairs };
        let kind: CtiEventKind = fields.required(&["event"])?.parse().map_err(|_| {
            CtiError::new(
                "event",
                format!("must be one of {}", CtiEventKind::expected()),
            )
        })?;
        let call_id = fields.required(&["callId", "call_id"])?;
        if call_id.chars().count() > MAX_CALL_ID_CHARS {
            return Err(CtiError::new(
                "callId",
                format!("has at most {MAX_CALL_ID_CHARS} characters"),
            ));
        }
        if call_id.chars().any(char::is_control) {
            return Err(CtiError::new(
                "callId",
                "must not contain control characters",
            ));
        }
        let direction: CallDirection = fields
            .required(&["direction"])?
            .parse()
            .map_err(|_| CtiError::new("direction", "must be in or out"))?;
        let from = number("from", fields.one(&["from"])?, plan)?;
        let to = number("to", fields.one(&["to"])?, plan)?;
        if kind == CtiEventKind::NewCall {
            // "anonymous" reads as withheld; the field itself must be there.
            if fields.one(&["from"])?.is_none() {
                return Err(CtiError::new("from", "is required on newCall"));
            }
            if to.is_none() || to == Some(CallNumber::Withheld) {
                return Err(CtiError::new("to", "is required on newCall"));
            }
        }
        let mut users = Vec::new();
        for name in fields.all(&["user", "user[]"]) {
            if let Some(name) = short_text("user", name)?
                && !users.contains(&name)
            {
                users.push(name);
            }
        }
        if users.len() > MAX_CTI_USERS {
            return Err(CtiError::new(
                "user",
                format!("names at most {MAX_CTI_USERS} people"),
            ));
        }
        let queue = match fields.one(&["queue"])? {
            Some(raw) => short_text("queue", raw)?,
            None => None,
        };
        let answering_number = match fields.one(&["answeringNumber", "answering_number"])? {
            Some(raw) => short_text("answeringNumber", raw)?,
            None => None,
        };
        let cause = match fields
            .one(&["cause"])?
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(raw) => Some(raw.parse::<HangupCause>().map_err(|_| {
                CtiError::new(
                    "cause",
                    format!("must be one of {}", HangupCause::expected()),
                )
            })?),
            None => None,
        };
        Ok(Self {
            kind,
            call_id: call_id.to_string(),
            direction,
            from,
            to,
            users,
            queue,
            answering_number,
            cause,
        })
    }

    /// The customer's side of the call: the caller of an incoming call, the called number
    /// of an outgoing one.
    pub fn customer_number(&self) -> Option<&CallNumber> {
        match self.direction {
            CallDirection::In => self.from.as_ref(),
            CallDirection::Out => self.to.as_ref(),
        }
    }

    /// Support's side of the call.
    pub fn support_number(&self) -> Option<&CallNumber> {
        match self.direction {
            CallDirection::In => self.to.as_ref(),
            CallDirection::Out => self.from.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn read(list: &[(&str, &str)]) -> Result<CtiEvent, CtiError> {
        CtiEvent::from_fields(&pairs(list), NumberingPlan::SPAIN)
    }

    fn field_of(result: Result<CtiEvent, CtiError>) -> String {
        result.err().map(|e| e.field).unwrap_or_default()
    }

    #[test]
    fn reads_the_documented_new_call() {
        let event = read(&[
            ("event", "newCall"),
            ("from", "0034 600 111 222"),
            ("to", "+34 910 000 001"),
            ("direction", "in"),
            ("callId", "307fa962-de8d-4ffc-817b-7f6993204159"),
            ("user[]", "Lucía Pérez"),
            ("user[]", "Emma Taylor"),
            ("queue", "soporte"),
        ]);
        let event = event.ok();
        assert_eq!(event.as_ref().map(|e| e.kind), Some(CtiEventKind::NewCall));
        assert_eq!(
            event.as_ref().and_then(|e| e.customer_number().cloned()),
            Some(CallNumber::International("+34600111222".into()))
        );
        assert_eq!(
            event.as_ref().map(|e| e.users.clone()),
            Some(vec!["Lucía Pérez".to_string(), "Emma Taylor".to_string()])
        );
        assert_eq!(event.and_then(|e| e.queue), Some("soporte".into()));
    }

    #[test]
    fn a_withheld_caller_is_a_call_all_the_same() {
        let event = read(&[
            ("event", "newCall"),
            ("from", "anonymous"),
            ("to", "+34910000001"),
            ("direction", "in"),
            ("call_id", "1"),
        ]);
        assert_eq!(event.ok().and_then(|e| e.from), Some(CallNumber::Withheld));
    }

    #[test]
    fn an_answer_or_hangup_need_not_repeat_the_numbers() {
        let event = read(&[
            ("event", "hangup"),
            ("direction", "in"),
            ("callId", "1"),
            ("cause", "cancel"),
        ]);
        let event = event.ok();
        assert_eq!(event.as_ref().map(|e| e.from.is_none()), Some(true));
        assert_eq!(event.and_then(|e| e.cause), Some(HangupCause::Cancel));
    }

    #[test]
    fn refuses_what_is_not_an_event_naming_the_field() {
        let base = [
            ("event", "newCall"),
            ("from", "600111222"),
            ("to", "910000001"),
            ("direction", "in"),
            ("callId", "1"),
        ];
        let with = |key: &str, value: &str| {
            let mut list: Vec<(&str, &str)> =
                base.iter().filter(|(k, _)| *k != key).copied().collect();
            list.push((key, value));
            pairs(&list)
        };
        let plan = NumberingPlan::SPAIN;
        let cases: Vec<(Vec<(String, String)>, &str)> = vec![
            (with("event", "ring"), "event"),
            (with("event", ""), "event"),
            (with("direction", "sideways"), "direction"),
            (with("callId", ""), "callId"),
            (with("callId", &"x".repeat(201)), "callId"),
            (with("callId", "a\u{0}b"), "callId"),
            (with("from", &"6".repeat(10_240)), "from"),
            (with("to", "not a number"), "to"),
            (with("to", "anonymous"), "to"),
            (with("cause", "exploded"), "cause"),
            (with("queue", &"q".repeat(201)), "queue"),
            (
                [pairs(&base), pairs(&[("direction", "out")])].concat(),
                "direction",
            ),
            (
                base.iter()
                    .filter(|(k, _)| *k != "from")
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                "from",
            ),
            (vec![("x".to_string(), String::new()); 201], "body"),
        ];
        for (fields, field) in cases {
            let got = CtiEvent::from_fields(&fields, plan);
            assert_eq!(field_of(got), field, "{fields:?}");
        }
    }

    #[test]
    fn the_same_field_twice_with_one_value_is_fine() {
        let event = read(&[
            ("event", "answer"),
            ("event", "answer"),
            ("direction", "out"),
            ("callId", "1"),
            ("answeringNumber", " 201 "),
        ]);
        assert_eq!(
            event.ok().and_then(|e| e.answering_number),
            Some("201".into())
        );
    }
}
