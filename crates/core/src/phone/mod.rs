//! The phone channel: the numbers a phone system reports (`number`), the events it sends
//! about each call in Zammad's generic CTI format (`cti`), and what a call is once its
//! events are put together (`call`).

mod call;
mod cti;
mod number;

pub use call::{CallOutcome, CallProgress, CallRecord, EventEffect};
pub use cti::{
    CallDirection, CtiError, CtiEvent, CtiEventKind, HangupCause, MAX_CALL_ID_CHARS,
    MAX_CTI_FIELD_CHARS, MAX_CTI_USERS,
};
pub use number::{CallNumber, MAX_NUMBER_CHARS, NumberError, NumberingPlan, read_call_number};
