//! The personal agent's phone, connected to the company's phone system (PBX).
//!
//! The PBX posts each call's events (Zammad's generic CTI format) to `/webhooks/cti/{token}`
//! (`events`). The caller's number is read and looked up among contacts and agents
//! (`identify`), the event is put into its call and stored once (a call is put together
//! whatever order its events come in), and the called agent's console hears of a ringing
//! call at once (`ring`). Calls are listed with filters for the API and the console
//! (`calls`).

mod call_back;
mod calls;
mod card;
mod dial;
mod events;
mod identify;
mod record;
mod ring;

pub use calls::{CallFilter, CallPage};
pub use card::{CallCard, CardCaller};
pub use events::CtiReply;
pub use identify::CallerMatch;
pub use record::{CallTarget, spaced_number};
pub use ring::CallSignal;
pub(crate) use ring::SIGNALS_KEPT;

use soporte_core::phone::NumberingPlan;
use std::fmt;

/// The phone channel's settings (the `[phone]` section).
#[derive(Clone)]
pub struct PhoneSettings {
    /// The secret in the CTI endpoint's address that the PBX posts to.
    pub token: String,
    /// Numbers (international form) whose calls are turned away: the PBX hears
    /// `{"action":"reject","reason":"busy"}`.
    pub blocked_numbers: Vec<String>,
    /// The number the PBX shows to customers on calls agents place, when it takes one
    /// from Soporte (`{"action":"dial","caller_id":…}`).
    pub outbound_caller_id: Option<String>,
    /// How numbers without a country code are read.
    pub plan: NumberingPlan,
}

impl PhoneSettings {
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            blocked_numbers: Vec::new(),
            outbound_caller_id: None,
            plan: NumberingPlan::SPAIN,
        }
    }
}

impl fmt::Debug for PhoneSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhoneSettings")
            .field("blocked_numbers", &self.blocked_numbers)
            .field("outbound_caller_id", &self.outbound_caller_id)
            .finish_non_exhaustive()
    }
}
