//! Who is on a call: the customer, found by their number among contacts (every one who
//! has it, since an office line is shared), and the agent, found by their own number, by
//! the name the phone system gives, or by who picked up.

use crate::{App, Result};
use soporte_core::directory::{Agent, Contact};
use soporte_core::ids::AgentId;
use soporte_core::phone::{CallDirection, CallNumber, CtiEvent, NumberingPlan, read_call_number};

/// Candidates shown for one number: more would not fit a card, and a number shared by
/// more people than this names nobody in particular.
const MAX_CANDIDATES: u32 = 10;

/// The contacts a number belongs to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallerMatch {
    /// Every contact with the number, oldest first.
    pub candidates: Vec<Contact>,
}

impl CallerMatch {
    /// The caller, when the number belongs to one contact only.
    pub fn single(&self) -> Option<&Contact> {
        match self.candidates.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

impl App {
    /// The contacts with the number a call reports for the customer.
    pub async fn callers_by_number(&self, number: Option<&CallNumber>) -> Result<CallerMatch> {
        let Some(number) = number.and_then(CallNumber::international) else {
            return Ok(CallerMatch::default());
        };
        Ok(CallerMatch {
            candidates: self.store.contacts_by_phone(number, MAX_CANDIDATES).await?,
        })
    }
}

/// An agent's own number, read the way call numbers are.
fn agent_number(agent: &Agent, plan: NumberingPlan) -> Option<CallNumber> {
    agent
        .phone
        .as_deref()
        .and_then(|p| read_call_number(p, plan).ok())
}

/// Whose call it is: the agent whose own number was called (or calls out), else the one
/// agent the phone system names among the people involved.
pub(super) fn owner(agents: &[Agent], event: &CtiEvent, plan: NumberingPlan) -> Option<AgentId> {
    let active = || agents.iter().filter(|a| a.active);
    if let Some(number @ CallNumber::International(_)) = event.support_number()
        && let Some(agent) = active().find(|a| agent_number(a, plan).as_ref() == Some(number))
    {
        return Some(agent.id);
    }
    let named: Vec<AgentId> = active()
        .filter(|a| {
            event
                .users
                .iter()
                .any(|u| u.trim().eq_ignore_ascii_case(a.name.trim()))
        })
        .map(|a| a.id)
        .collect();
    match (event.direction, named.as_slice()) {
        (_, [one]) => Some(*one),
        // An outgoing call names its caller first.
        (CallDirection::Out, [first, ..]) => Some(*first),
        _ => None,
    }
}

/// The agent who picked up, from what the phone system calls them: their number, their
/// e-mail (the login) or their id, in that order, as Zammad reads `answeringNumber`.
pub(super) fn answerer(agents: &[Agent], answering: &str, plan: NumberingPlan) -> Option<AgentId> {
    let answering = answering.trim();
    if let Ok(number @ CallNumber::International(_)) = read_call_number(answering, plan)
        && let Some(agent) = agents
            .iter()
            .find(|a| agent_number(a, plan).as_ref() == Some(&number))
    {
        return Some(agent.id);
    }
    if let Some(agent) = agents
        .iter()
        .find(|a| a.email.eq_ignore_ascii_case(answering))
    {
        return Some(agent.id);
    }
    let id: i64 = answering.parse().ok()?;
    agents.iter().find(|a| a.id.0 == id).map(|a| a.id)
}
