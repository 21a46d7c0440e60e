//! What the support policy decided about a ticket, kept with it: how sure the classifier
//! was, what kind of request it is, the intake checklist, where the customer was pointed
//! and the SLA clock.

use crate::policy::checklist::Checklist;
use crate::policy::classifier::RequestKind;
use crate::policy::sla::SlaState;
use crate::support::Channel;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketPolicy {
    /// The classifier's confidence in the type it suggested (0–1), when it ran.
    pub type_confidence: Option<f64>,
    pub kind: Option<RequestKind>,
    pub checklist: Option<Checklist>,
    /// The channel the customer was pointed to because the request's type is not handled
    /// on the channel it came by.
    pub redirect: Option<Channel>,
    /// The customer's words that made the ticket urgent.
    pub urgency: Option<String>,
    /// For a call-back task (a missed call): the number to call back, in international
    /// form. Its SLA has its own target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_back: Option<String>,
    pub sla: SlaRecord,
}

/// The SLA clock of a ticket. The clock starts when the ticket is created; the due times
/// follow from the targets of its type and priority, moved later by the business time
/// the ticket spent waiting on the customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SlaRecord {
    pub first_response_due: Option<Timestamp>,
    pub resolution_due: Option<Timestamp>,
    pub first_responded_at: Option<Timestamp>,
    pub paused_since: Option<Timestamp>,
    /// Business time spent paused so far.
    pub paused_total: SignedDuration,
    pub state: Option<SlaState>,
    /// When the state can next change without anything happening to the ticket (80% of
    /// a target used, or a due time passed): the SLA worker looks at the ticket then.
    pub next_check_at: Option<Timestamp>,
}
