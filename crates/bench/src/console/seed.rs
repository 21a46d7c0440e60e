//! Writing the seeded data through the store, as intake and agents would have written it:
//! agents, accounts and contacts, then the tickets, then their later messages in order.

use super::plan::{
    ACKNOWLEDGEMENT, Directory, FIRST_NAMES, PLANS, Plan, SURNAMES, TRADES, follow_up, plan,
};
use super::{
    ACCOUNTS, AGENTS, CONTACTS_WITHOUT_ACCOUNT, ConsoleDatabase, Dice, LOGIN_EMAIL, PASSWORD,
    SCREENSHOTS, Seeded,
};
use crate::report::{cpu_seconds, report, report_figure, run_concurrently};
use anyhow::{Context, Result};
use jiff::Timestamp;
use soporte_app::AgentInput;
use soporte_core::directory::Role;
use soporte_core::ids::TicketId;
use soporte_core::policy::sla::SlaState;
use soporte_core::ticket::{EventKind, Status, Ticket, TicketPrefix};
use soporte_core::time::to_micros;
use soporte_store::{
    AutomaticAnswer, Consequences, MessageExtra, NewAccount, NewAttachment, NewContact, NewTicket,
    Requester, TicketChange, TicketEffects,
};
use std::sync::Arc;
use std::time::Instant;

/// Concurrent tasks creating tickets: SQLite commits up to 64 waiting tickets in one
/// transaction, and with more waiting than that the next group is ready as soon as the
/// last one commits.
const SEED_WRITERS: usize = 192;
/// Concurrent tasks adding the later messages of tickets, each ticket's in order. The
/// writer takes one at a time whatever the number; a few keep it busy.
const FOLLOW_UP_WRITERS: usize = 4;

/// The effects of the seeding: what intake and the SLA worker would have decided, from
/// the plan. On the ticket's last change the ticket takes its final state (status, SLA,
/// time of last change), so agents' replies on the way move it as they would.
struct SeedEffects {
    plan: Arc<Plan>,
    last: bool,
}

impl SeedEffects {
    fn finish(&self, ticket: &mut Ticket, events: &mut Vec<EventKind>) {
        let plan = &self.plan;
        if ticket.status != plan.status {
            events.push(EventKind::StatusChanged {
                from: ticket.status,
                to: plan.status,
            });
            ticket.status = plan.status;
        }
        ticket.updated_at = plan.updated_at;
        if matches!(plan.status, Status::Solved | Status::Closed) {
            ticket.solved_at = Some(plan.updated_at);
        }
        if plan.status == Status::Closed {
            ticket.closed_at = Some(plan.updated_at);
        }
        ticket.policy.sla = plan.sla.clone();
        if let Some(to @ (SlaState::AtRisk | SlaState::Breached)) = plan.sla.state {
            events.push(EventKind::SlaStateChanged {
                from: Some(SlaState::OnTrack),
                to,
            });
        }
    }
}

impl TicketEffects for SeedEffects {
    fn answer(&self, _ticket: &Ticket) -> Option<AutomaticAnswer> {
        (self.plan.messages >= 2).then(|| AutomaticAnswer {
            channel: self.plan.channel,
            body_text: ACKNOWLEDGEMENT.to_string(),
            portal_link: None,
        })
    }

    fn apply(&self, change: TicketChange<'_>, ticket: &mut Ticket, _at: Timestamp) -> Consequences {
        let plan = &self.plan;
        let mut events = Vec::new();
        if let TicketChange::Created { .. } = change {
            ticket.policy.type_confidence = Some(plan.type_confidence);
            ticket.policy.kind = Some(plan.kind);
            ticket.policy.checklist = Some(plan.checklist.clone());
            ticket.policy.urgency = plan.urgency.clone();
            events.push(EventKind::Classified {
                support_type: plan.support_type,
                confidence: plan.type_confidence,
                request_kind: plan.kind,
            });
            events.push(EventKind::ChecklistEvaluated {
                missing: plan.checklist.missing().collect(),
            });
            if let Some(evidence) = &plan.urgency {
                events.push(EventKind::UrgencyDetected {
                    evidence: evidence.clone(),
                });
            }
            events.push(EventKind::SlaDueChanged {
                first_response_due: plan.sla.first_response_due,
                resolution_due: plan.sla.resolution_due,
            });
        }
        if self.last {
            self.finish(ticket, &mut events);
        }
        Consequences {
            events,
            ..Consequences::default()
        }
    }
}

pub(crate) async fn seed(database: &ConsoleDatabase, tickets: usize) -> Result<Seeded> {
    let started = Instant::now();
    let store = Arc::clone(&database.store);
    let app = &database.app;

    let cpu_before = cpu_seconds()?;
    let mut agents = Vec::with_capacity(AGENTS);
    for a in 0..AGENTS {
        let first = FIRST_NAMES
            .get(a % FIRST_NAMES.len())
            .copied()
            .unwrap_or("Ana");
        let last = SURNAMES
            .get((a * 7) % SURNAMES.len())
            .copied()
            .unwrap_or("Ruiz");
        let email = match a {
            0 => LOGIN_EMAIL.to_string(),
            _ => format!("agente{}@vendomia.example", a + 1),
        };
        // One agent signs in; hashing a password is slow on purpose, so only one has one.
        let password = (a == 0).then(|| PASSWORD.to_string());
        let agent = app
            .create_agent(&AgentInput {
                email,
                name: format!("{first} {last}"),
                role: Some(if a == 0 { Role::Admin } else { Role::Agent }),
                password,
                ..AgentInput::default()
            })
            .await?;
        agents.push(agent.id);
    }

    let mut dice = Dice::new(u64::MAX);
    let accounts: Vec<NewAccount> = (0..ACCOUNTS)
        .map(|i| {
            let trade = dice.pick(TRADES);
            let surname = dice.pick(SURNAMES);
            let personal = if dice.chance(30) {
                agents.get(dice.below(agents.len())).copied()
            } else {
                None
            };
            let backup = personal.and_then(|p| agents.iter().copied().find(|a| *a != p));
            NewAccount {
                name: format!("{trade} {surname}, S.L."),
                tax_id: Some(format!("B{:08}", 10_000_000 + i)),
                plan: Some(dice.pick(PLANS).to_string()),
                email_domains: vec![format!("cliente{i:04}.example")],
                personal_agent_id: personal,
                backup_agent_id: backup,
            }
        })
        .collect();
    let account_ids = store.create_accounts(&accounts).await?;

    let people = Arc::new(account_ids);
    let writer = Arc::clone(&store);
    let (mut contacts, _) = run_concurrently(ACCOUNTS + CONTACTS_WITHOUT_ACCOUNT, 8, move |c| {
        let (store, people) = (Arc::clone(&writer), Arc::clone(&people));
        async move {
            let mut dice = Dice::new(c as u64 ^ 0xC0FFEE);
            let name = format!("{} {}", dice.pick(FIRST_NAMES), dice.pick(SURNAMES));
            let account = people.get(c).copied();
            let email = match account {
                Some(_) => format!("compras@cliente{c:04}.example"),
                None => format!("particular{c}@correo.example"),
            };
            let new = NewContact {
                account_id: account,
                account_manager: false,
                name: name.clone(),
                emails: vec![email],
                phones: vec![format!("+34 6{:08}", 10_000_000 + c)],
            };
            Ok((store.create_contact(&new).await?.id, account, name))
        }
    })
    .await?;

    // Sorted, so that every run spreads the tickets over the same contacts.
    contacts.sort_unstable_by_key(|(id, _, _)| id.0);

    let mut screenshots = Vec::with_capacity(SCREENSHOTS);
    for s in 0..SCREENSHOTS {
        // Not a real image: the pages list attachments, they never decode them.
        let bytes = format!("captura de pantalla {s} ").repeat(400 + 37 * s);
        let blob = database.blobs.put(bytes.as_bytes()).await?;
        screenshots.push(NewAttachment {
            sha256: blob.sha256,
            size: blob.size,
            filename: format!("captura-pantalla-{}.png", s + 1),
            media_type: "image/png".into(),
            inline: false,
            content_id: None,
        });
    }
    let directory = Directory {
        agents: agents.clone(),
        contacts,
        screenshots,
    };
    let directory_took = started.elapsed();

    let now = to_micros(Timestamp::now());
    let plans: Arc<Vec<Arc<Plan>>> = Arc::new(
        (0..tickets)
            .map(|i| Arc::new(plan(i, &directory, now)))
            .collect(),
    );
    let prefix = TicketPrefix::parse("VND")?;
    let (writer, all_plans) = (Arc::clone(&store), Arc::clone(&plans));
    let (created, creates) = run_concurrently(tickets, SEED_WRITERS, move |i| {
        let (store, prefix) = (Arc::clone(&writer), prefix.clone());
        let plan = all_plans.get(i).cloned();
        async move {
            let plan = plan.context("no plan for a ticket")?;
            let new = NewTicket {
                number_prefix: prefix,
                subject: plan.subject.clone(),
                support_type: plan.support_type,
                channel: plan.channel,
                priority: plan.priority,
                assignee_id: plan.assignee,
                assignment_reason: plan.assignee.map(|_| "round_robin".to_string()),
                account_id: plan.account,
                requester: Requester::Existing(plan.requester),
                product_area: Some("Tienda".into()),
                tags: vec![],
                body_text: plan.first_text.clone(),
                body_html: None,
                channel_message_id: None,
                attachments: plan.screenshot.iter().cloned().collect(),
                created_by: None,
                policy: Default::default(),
                extra: MessageExtra::default(),
            };
            let last = plan.messages <= 2;
            let effects = Arc::new(SeedEffects { plan, last });
            let (ticket, _) = store.create_ticket_with(&new, effects).await?;
            Ok((i, ticket.id))
        }
    })
    .await?;
    report("sqlite", "seed: create_ticket_with", &creates, None);

    let mut ticket_ids = vec![0; tickets];
    let mut long_ticket_ids = Vec::new();
    let mut later: Vec<(usize, TicketId)> = Vec::new();
    for (i, id) in created {
        let messages = plans.get(i).map_or(1, |p| p.messages);
        if let Some(slot) = ticket_ids.get_mut(i) {
            *slot = id.0;
        }
        if messages == 6 {
            long_ticket_ids.push(id.0);
        }
        if messages > 2 {
            later.push((i, id));
        }
    }
    // In creation order, as the conversations would have gone on.
    later.sort_unstable();
    let later = Arc::new(later);
    let fallback = *agents.first().context("no agents")?;
    let (writer, all_plans) = (Arc::clone(&store), Arc::clone(&plans));
    let (added, follow_ups) = run_concurrently(later.len(), FOLLOW_UP_WRITERS, move |n| {
        let (store, plans, later) = (
            Arc::clone(&writer),
            Arc::clone(&all_plans),
            Arc::clone(&later),
        );
        async move {
            let (i, id) = *later.get(n).context("no follow-up for a ticket")?;
            let plan = plans.get(i).cloned().context("no plan for a ticket")?;
            let mut dice = Dice::new(!(i as u64));
            for k in 2..plan.messages {
                let message = follow_up(&plan, k, &mut dice, fallback);
                let effects = Arc::new(SeedEffects {
                    plan: Arc::clone(&plan),
                    last: k + 1 == plan.messages,
                });
                store.add_message_with(id, &message, effects).await?;
            }
            Ok(plan.messages - 2)
        }
    })
    .await?;
    let messages_added: usize = added.iter().sum();
    let rate = messages_added as f64 / follow_ups.wall.as_secs_f64().max(f64::EPSILON);
    // One call per ticket: its later messages, one after another.
    report(
        "sqlite",
        "seed: add_message_with ×ticket",
        &follow_ups,
        None,
    );
    let total = started.elapsed();
    let cpu = cpu_seconds()? - cpu_before;
    let figure = format!(
        "{:.1} s ({cpu:.1} s CPU): directory {:.1} s ({AGENTS} agents, {ACCOUNTS} accounts, \
         {} contacts), {messages_added} later messages at {rate:.0}/s",
        total.as_secs_f64(),
        directory_took.as_secs_f64(),
        directory.contacts.len(),
    );
    report_figure("sqlite", "seeding took", &figure, None);
    Ok(Seeded {
        ticket_ids,
        long_ticket_ids,
    })
}
