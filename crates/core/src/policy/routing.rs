//! Who gets a new ticket. The policy promises every account a personal agent; while that
//! agent is away the backup agent covers.

use crate::directory::{Account, Agent};
use crate::ids::AgentId;
use crate::support::SupportType;
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

/// Failing the account's own agents: the available agent handling the type with the fewest
/// open tickets (an agent with no types listed handles every type). Ties go to the
/// lowest id, so the choice is repeatable.
pub fn assign_by_load(
    agents: &[Agent],
    open_tickets: impl Fn(AgentId) -> i64,
    support_type: SupportType,
    now: Timestamp,
) -> Option<Assignment> {
    agents
        .iter()
        .filter(|a| a.active && !a.is_absent_at(now))
        .filter(|a| a.types.is_empty() || a.types.contains(&support_type))
        .min_by_key(|a| (open_tickets(a.id), a.id.0))
        .map(|a| Assignment {
            agent_id: a.id,
            reason: match support_type {
                SupportType::Administrative => "fewest open tickets among administrative agents",
                SupportType::Usage => "fewest open tickets among usage agents",
                SupportType::Technical => "fewest open tickets among technical agents",
            },
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
            whatsapp_phone_number_id: None,
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

    #[test]
    fn load_balancing_picks_the_least_busy_agent_of_the_type() {
        let mut tech = agent(1, true, false);
        tech.types = vec![SupportType::Technical];
        let mut admin = agent(2, true, false);
        admin.types = vec![SupportType::Administrative];
        let generalist = agent(3, true, false);
        let away = {
            let mut a = agent(4, true, true);
            a.types = vec![SupportType::Technical];
            a
        };
        let agents = vec![tech, admin, generalist, away];
        let now = Timestamp::from_second(1_800_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
        let counts = |id: AgentId| match id.0 {
            1 => 7,
            3 => 2,
            _ => 0,
        };
        let pick = assign_by_load(&agents, counts, SupportType::Technical, now);
        assert_eq!(
            pick.map(|a| a.agent_id),
            Some(AgentId(3)),
            "generalist has fewer"
        );
        let pick = assign_by_load(&agents, |_| 0, SupportType::Technical, now);
        assert_eq!(
            pick.map(|a| a.agent_id),
            Some(AgentId(1)),
            "tie goes to lowest id"
        );
        let pick = assign_by_load(&agents, counts, SupportType::Administrative, now);
        assert_eq!(pick.map(|a| a.agent_id), Some(AgentId(2)));
        assert_eq!(assign_by_load(&[], counts, SupportType::Usage, now), None);
    }
}
