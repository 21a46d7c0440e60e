//! The SLA worker's check: tickets whose state can change with time alone (80% of a
//! target used, a due time passed) are looked at when that moment comes.

use crate::{App, Result};
use jiff::Timestamp;
use soporte_core::ticket::{Actor, TicketPatch};
use std::sync::Arc;

/// Tickets looked at per round; the worker comes back at once while there are more.
pub const SLA_BATCH: u32 = 200;

impl App {
    /// Re-evaluates the SLA of tickets due for a check at `now`; returns how many it
    /// looked at. Each ticket is its own transaction, and concurrent workers on other
    /// nodes find the state already updated and do nothing twice.
    pub async fn check_sla(&self, now: Timestamp) -> Result<usize> {
        let due = self.store.tickets_due_for_sla_check(now, SLA_BATCH).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let mut effects = self.policy_effects(None).await?;
        if let Some(e) = Arc::get_mut(&mut effects) {
            e.judged_at = Some(now);
        }
        for id in &due {
            self.store
                .update_ticket_with(*id, &TicketPatch::default(), Actor::System, effects.clone())
                .await?;
        }
        Ok(due.len())
    }
}
