//! The policy's rules over a ticket's life, on SQLite and PostgreSQL: the SLA clock and
//! its worker (at risk, breached, notifications, escalation, the pause while waiting on
//! the customer), the checklist on later messages, urgency in a follow-up, agents'
//! corrections as training data, and assignment by load.

use soporte_app::{
    AccountInput, AgentInput, App, AppSettings, MessageInput, Principal, TicketInput, TicketUpdate,
    TokenOwner,
};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_core::policy::checklist::ChecklistItem;
use soporte_core::policy::sla::SlaState;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{EventKind, MessageKind, Status, TicketPrefix};
use soporte_store::DiskBlobStore;
use soporte_store::testkit::TestDb;
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

struct Desk {
    app: App,
    admin: Principal,
    agent: Principal,
    _blobs: tempfile::TempDir,
}

async fn desk(db: &TestDb) -> Result<Desk, Box<dyn std::error::Error>> {
    let blobs = tempfile::tempdir()?;
    let settings = AppSettings::new(
        TicketPrefix::parse("VND")?,
        "Vendomia",
        "soporte@vendomia.com",
    );
    let app = App::new(
        db.store.clone(),
        Arc::new(DiskBlobStore::new(blobs.path())?),
        settings,
    )
    .with_mail(Arc::new(soporte_mail::MimeCodec));
    let ana = app
        .create_agent(&AgentInput {
            email: "ana@vendomia.com".into(),
            name: "Ana".into(),
            role: Some(Role::Admin),
            types: vec![SupportType::Administrative],
            ..AgentInput::default()
        })
        .await?;
    let pilar = app
        .create_agent(&AgentInput {
            email: "pilar@vendomia.com".into(),
            name: "Pilar".into(),
            ..AgentInput::default()
        })
        .await?;
    app.create_account(&AccountInput {
        name: "Tienda Ana".into(),
        email_domains: vec!["tienda-ana.es".into()],
        personal_agent_id: Some(pilar.id),
        ..AccountInput::default()
    })
    .await?;
    let admin = app
        .authenticate(
            &app.issue_token(TokenOwner::Agent(ana.id), TokenScope::Admin, "")
                .await?
                .plaintext,
        )
        .await?;
    let agent = app
        .authenticate(
            &app.issue_token(TokenOwner::Agent(pilar.id), TokenScope::Agent, "")
                .await?
                .plaintext,
        )
        .await?;
    Ok(Desk {
        app,
        admin,
        agent,
        _blobs: blobs,
    })
}

fn request(subject: &str, body: &str) -> TicketInput {
    TicketInput {
        subject: subject.into(),
        body: body.into(),
        requester_email: Some("marta@tienda-ana.es".into()),
        channel: Some(Channel::Email),
        ..TicketInput::default()
    }
}

async fn notifications_to(
    desk: &Desk,
    ticket: i64,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    Ok(desk
        .app
        .list_outbox(&desk.admin, None)
        .await?
        .into_iter()
        .filter(|o| o.ticket_id == Some(ticket) && o.kind == "notification")
        .map(|o| format!("{} {}", o.recipient, o.email.subject))
        .collect())
}

async fn the_sla_worker_marks_risk_then_breach_and_escalates(desk: &Desk) -> TestResult {
    let ticket = desk
        .app
        .create_ticket(
            &desk.admin,
            &TicketInput {
                support_type: Some(SupportType::Technical),
                ..request("Error al publicar", "No se publica la página.")
            },
        )
        .await?;
    let sla = ticket.policy.sla.clone();
    let first_due = sla.first_response_due.ok_or("no first-response due time")?;
    assert_eq!(sla.state, Some(SlaState::OnTrack));
    let next = sla.next_check_at.ok_or("no next check")?;
    assert!(
        next < first_due,
        "the at-risk moment comes before the due time"
    );

    // Nothing is due yet.
    assert_eq!(desk.app.check_sla(ticket.created_at).await?, 0);

    // At 80% of the first-response target the assignee hears of it.
    assert_eq!(desk.app.check_sla(next).await?, 1);
    let at_risk = desk.app.ticket(&desk.admin, ticket.id).await?;
    assert_eq!(at_risk.policy.sla.state, Some(SlaState::AtRisk));
    let told = notifications_to(desk, ticket.id.0).await?;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].starts_with("pilar@vendomia.com") && told[0].contains("SLA en riesgo"),
        "{told:?}"
    );

    // Past the due time it is breached: the assignee and the admins are told.
    let after = first_due + jiff::SignedDuration::from_secs(5);
    assert_eq!(desk.app.check_sla(after).await?, 1);
    let breached = desk.app.ticket(&desk.admin, ticket.id).await?;
    assert_eq!(breached.policy.sla.state, Some(SlaState::Breached));
    let told = notifications_to(desk, ticket.id.0).await?;
    assert_eq!(told.len(), 3, "{told:?}");
    assert!(
        told.iter()
            .any(|t| t.starts_with("ana@vendomia.com") && t.contains("SLA incumplido")),
        "{told:?}"
    );
    // A second run finds nothing new to say.
    desk.app.check_sla(after).await?;
    assert_eq!(notifications_to(desk, ticket.id.0).await?.len(), 3);

    let events = desk.app.ticket_events(&desk.admin, ticket.id).await?;
    let states: Vec<SlaState> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::SlaStateChanged { to, .. } => Some(to),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        [SlaState::OnTrack, SlaState::AtRisk, SlaState::Breached]
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Notified { .. }))
            .count(),
        3
    );
    Ok(())
}

async fn waiting_on_the_customer_pauses_the_clock(desk: &Desk) -> TestResult {
    let ticket = desk
        .app
        .create_ticket(
            &desk.admin,
            &TicketInput {
                support_type: Some(SupportType::Usage),
                ..request("Duda", "¿Cómo cambio el logo en Sitios Web?")
            },
        )
        .await?;
    let before = ticket.policy.sla.resolution_due.ok_or("no due time")?;
    let pending = desk
        .app
        .update_ticket(
            &desk.agent,
            ticket.id,
            &TicketUpdate {
                status: Some(Status::Pending),
                ..TicketUpdate::default()
            },
        )
        .await?;
    assert_eq!(pending.policy.sla.state, Some(SlaState::Paused));
    assert!(pending.policy.sla.paused_since.is_some());
    assert_eq!(
        pending.policy.sla.next_check_at, None,
        "nothing to watch while paused"
    );
    // The customer answers: the clock runs again, and the due time moved by the business
    // time spent waiting (none or a little here, never backwards).
    let (resumed, _) = desk
        .app
        .add_message(
            &desk.admin,
            ticket.id,
            &MessageInput {
                kind: Some(MessageKind::Inbound),
                body: "Gracias, ya lo veo".into(),
                ..MessageInput::default()
            },
        )
        .await?;
    assert_eq!(resumed.status, Status::Open);
    assert_eq!(resumed.policy.sla.paused_since, None);
    assert!(resumed.policy.sla.resolution_due >= Some(before));
    assert_ne!(resumed.policy.sla.state, Some(SlaState::Paused));
    Ok(())
}

async fn the_first_answer_meets_the_first_response_target(desk: &Desk) -> TestResult {
    let ticket = desk
        .app
        .create_ticket(
            &desk.admin,
            &request("Factura", "¿Me reenviáis la factura de octubre?"),
        )
        .await?;
    assert_eq!(
        ticket.policy.sla.first_responded_at, None,
        "the acknowledgement is not an answer"
    );
    let (answered, _) = desk
        .app
        .add_message(
            &desk.agent,
            ticket.id,
            &MessageInput {
                kind: Some(MessageKind::Outbound),
                body: "Adjunta va.".into(),
                ..MessageInput::default()
            },
        )
        .await?;
    assert!(answered.policy.sla.first_responded_at.is_some());
    let note = desk
        .app
        .add_message(
            &desk.agent,
            ticket.id,
            &MessageInput {
                kind: Some(MessageKind::Note),
                body: "nota".into(),
                ..MessageInput::default()
            },
        )
        .await?;
    assert_eq!(
        note.0.policy.sla.first_responded_at,
        answered.policy.sla.first_responded_at
    );
    Ok(())
}

async fn later_messages_complete_the_checklist_and_can_make_it_urgent(desk: &Desk) -> TestResult {
    let ticket = desk
        .app
        .create_ticket(
            &desk.admin,
            &TicketInput {
                support_type: Some(SupportType::Technical),
                ..request("Error", "Me sale un error.")
            },
        )
        .await?;
    let missing = |t: &soporte_core::ticket::Ticket| -> Vec<ChecklistItem> {
        t.policy
            .checklist
            .as_ref()
            .map(|c| c.missing().collect())
            .unwrap_or_default()
    };
    assert!(missing(&ticket).contains(&ChecklistItem::Location));
    assert_eq!(ticket.priority, Priority::Normal);
    let (later, _) = desk
        .app
        .add_message(
            &desk.admin,
            ticket.id,
            &MessageInput {
                kind: Some(MessageKind::Inbound),
                body: "Es en la Tienda, en la página del carrito. Es urgente, no puedo vender."
                    .into(),
                ..MessageInput::default()
            },
        )
        .await?;
    assert!(
        !missing(&later).contains(&ChecklistItem::Location),
        "{:?}",
        later.policy.checklist
    );
    assert_eq!(
        later.priority,
        Priority::Urgent,
        "a follow-up can make it urgent"
    );
    assert!(later.policy.urgency.is_some());
    let told = notifications_to(desk, ticket.id.0).await?;
    assert!(
        told.iter()
            .any(|t| t.starts_with("pilar@vendomia.com") && t.contains("Solicitud urgente")),
        "{told:?}"
    );
    // Only one acknowledgement, however many messages follow.
    let detail = desk.app.ticket_detail(&desk.admin, ticket.id).await?;
    assert_eq!(
        detail
            .messages
            .iter()
            .filter(|m| m.automatic.is_some() && m.kind == MessageKind::Outbound)
            .count(),
        1
    );
    Ok(())
}

async fn corrections_retrain_the_classifier(desk: &Desk) -> TestResult {
    let ticket = desk
        .app
        .create_ticket(&desk.admin, &request("Consulta rara", "blablabla xyz"))
        .await?;
    let fixed = desk
        .app
        .update_ticket(
            &desk.agent,
            ticket.id,
            &TicketUpdate {
                support_type: Some(Some(SupportType::Administrative)),
                ..TicketUpdate::default()
            },
        )
        .await?;
    assert_eq!(fixed.support_type, Some(SupportType::Administrative));
    let events = desk.app.ticket_events(&desk.admin, ticket.id).await?;
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::TypeChanged { .. }))
    );
    // The type decides the SLA targets: the due times follow the correction.
    assert_ne!(fixed.policy.sla.resolution_due, None);

    let report = desk.app.train_classifier().await?;
    assert_eq!(report.corrections, 1);
    assert!(report.type_accuracy >= 0.9, "{report:?}");
    assert_eq!(
        desk.app.retrain_if_corrected().await?,
        None,
        "nothing new to learn"
    );
    assert_eq!(desk.app.load_classifier().await?, Some(report.model_id));
    let view = desk.app.policy(&desk.admin)?;
    assert_eq!(view.classifier.model_id, Some(report.model_id));
    Ok(())
}

async fn without_a_personal_agent_the_least_busy_agent_of_the_type_gets_it(
    desk: &Desk,
) -> TestResult {
    // Ana handles administrative requests only; Pilar handles every type. Neither is
    // the personal agent of a Gmail sender.
    let admin_req = desk
        .app
        .create_ticket(
            &desk.admin,
            &TicketInput {
                requester_email: Some("pepe@gmail.com".into()),
                support_type: Some(SupportType::Administrative),
                ..request("Factura", "Necesito la factura")
            },
        )
        .await?;
    let usage_req = desk
        .app
        .create_ticket(
            &desk.admin,
            &TicketInput {
                requester_email: Some("pepe@gmail.com".into()),
                support_type: Some(SupportType::Usage),
                ..request("Duda", "¿Cómo cambio el logo?")
            },
        )
        .await?;
    let names = |t: &soporte_core::ticket::Ticket| t.assignee_id;
    let ana = desk.admin.require_agent()?.id;
    let pilar = desk.agent.require_agent()?.id;
    // Tie on administrative (both have 0 open): the lowest id, Ana.
    assert_eq!(names(&admin_req), Some(ana));
    assert_eq!(names(&usage_req), Some(pilar), "Ana does not handle usage");
    let events = desk.app.ticket_events(&desk.admin, usage_req.id).await?;
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::Assigned { reason, .. } if reason.contains("fewest open tickets"))));
    // Ana now has one open ticket, Pilar one too; give Ana another and the next
    // administrative request goes to Pilar.
    desk.app
        .create_ticket(
            &desk.admin,
            &TicketInput {
                requester_email: Some("pepe@gmail.com".into()),
                support_type: Some(SupportType::Administrative),
                ..request("Factura 2", "Otra factura")
            },
        )
        .await?;
    let third = desk
        .app
        .create_ticket(
            &desk.admin,
            &TicketInput {
                requester_email: Some("pepe@gmail.com".into()),
                support_type: Some(SupportType::Administrative),
                ..request("Factura 3", "Y otra")
            },
        )
        .await?;
    assert_eq!(names(&third), Some(pilar));
    Ok(())
}

soporte_store::on_both_databases!(desk;
    the_sla_worker_marks_risk_then_breach_and_escalates,
    waiting_on_the_customer_pauses_the_clock,
    the_first_answer_meets_the_first_response_target,
    later_messages_complete_the_checklist_and_can_make_it_urgent,
    corrections_retrain_the_classifier,
    without_a_personal_agent_the_least_busy_agent_of_the_type_gets_it,
);
