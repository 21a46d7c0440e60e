//! Timestamps are stored as microseconds since the Unix epoch so that both databases keep
//! them as plain 64-bit integers and order them the same way.

use jiff::Timestamp;

pub fn to_micros(ts: Timestamp) -> i64 {
    ts.as_microsecond()
}

/// Converts stored microseconds back. Values outside jiff's range (which only a corrupted
/// row could hold) are clamped rather than failing a whole listing.
pub fn from_micros(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(if micros < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}
