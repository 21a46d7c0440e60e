//! Who gets a new ticket. The policy promises every account a personal agent; while that
//! agent is away the backup agent covers.

use crate::directory::{Account, Agent};
use crate::ids::AgentId;
use jiff::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub agent_id: AgentId,
    /// Kept in the ticket's history, so an agent can see why a ticket landed with them.
    pub reason: &'static str,
}

/// Picks the account's personal agent, or the backup while the personal agent is away or
/// disabled. `None` leaves the ticket unassigned for triage.
pub fn assign_for_account(
    account: &Account,
    lookup: impl Fn(AgentId) -> Option<Agent>,
    now: Timestamp,
) -> Option<Assignment> {
    let available = |id: Option<AgentId>| {
        id.and_then(&lookup)
            .filter(|a| a.active && !a.is_absent_at(now))
            .map(|a| a.id)
    };
    if let Some(agent_id) = available(account.personal_agent_id) {
        return Some(Assignment {
            agent_id,
            reason: "personal agent",
        });
    }
    available(account.backup_agent_id).map(|agent_id| Assignment {
        agent_id,
        reason: "backup agent (personal agent unavailable)",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::{Absence, Role};
    use crate::ids::AccountId;

    fn agent(id: i64, active: bool, absent: bool) -> Agent {
        let base = Timestamp::from_second(1_800_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
        Agent {
            id: AgentId(id),
            email: format!("a{id}@vendomia.com"),
            name: format!("Agente {id}"),
            phone: None,
            whatsapp: None,
            role: Role::Agent,
            types: vec![],
            absences: if absent {
                vec![Absence {
                    starts_at: base - jiff::SignedDuration::from_hours(1),
                    ends_at: base + jiff::SignedDuration::from_hours(1),
                }]
            } else {
                vec![]
            },
            active,
            created_at: base,
            updated_at: base,
        }
    }

    fn account(personal: Option<i64>, backup: Option<i64>) -> Account {
        Account {
            id: AccountId(1),
            name: "Tienda".into(),
            tax_id: None,
            plan: None,
            email_domains: vec![],
            personal_agent_id: personal.map(AgentId),
            backup_agent_id: backup.map(AgentId),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn personal_then_backup_then_nobody() {
        let now = Timestamp::from_second(1_800_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
        // (personal: active, absent), (backup: active, absent), expected agent
        let table = [
            ((true, false), (true, false), Some((1, "personal agent"))),
            (
                (true, true),
                (true, false),
                Some((2, "backup agent (personal agent unavailable)")),
            ),
            (
                (false, false),
                (true, false),
                Some((2, "backup agent (personal agent unavailable)")),
            ),
            ((true, true), (true, true), None),
            ((true, true), (false, false), None),
        ];
        for ((pa, pabs), (ba, babs), expected) in table {
            let agents = [agent(1, pa, pabs), agent(2, ba, babs)];
            let got = assign_for_account(
                &account(Some(1), Some(2)),
                |id| agents.iter().find(|a| a.id == id).cloned(),
                now,
            );
            assert_eq!(
                got.map(|a| (a.agent_id.0, a.reason)),
                expected,
                "personal {pa}/{pabs}, backup {ba}/{babs}"
            );
        }
        assert_eq!(
            assign_for_account(&account(None, None), |_| None, now),
            None
        );
    }
}
