//! The support policy end to end: a request arrives (by e-mail, or recorded through the
//! API from WhatsApp, the phone or an integration) and Soporte decides its type, urgency,
//! missing checklist items, assignee, acknowledgement, SLA due times and channel
//! redirect. Every case runs on SQLite and on PostgreSQL.

mod cases;

use cases::cases;
use soporte_app::email::{IntakeOutcome, IntakeSource};
use soporte_app::{
    AccountInput, AgentInput, AgentUpdate, App, AppSettings, Principal, TicketInput, TokenOwner,
};
use soporte_core::auth::TokenScope;
use soporte_core::directory::{Absence, Role};
use soporte_core::policy::checklist::ChecklistItem::{self, *};
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{MessageKind, Ticket, TicketPrefix};
use soporte_store::DiskBlobStore;
use soporte_store::testkit::TestDb;
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// How the request arrives.
#[derive(Clone, Copy)]
enum Via {
    /// An e-mail to the support address; `robot` marks it as automatic mail.
    Email { from: &'static str, robot: bool },
    /// Recorded through the API on a channel (an agent logging a WhatsApp message or a
    /// call, an integration), with what the recorder set explicitly.
    Recorded {
        channel: Channel,
        from: &'static str,
        support_type: Option<SupportType>,
        priority: Option<Priority>,
    },
}

struct Case {
    name: &'static str,
    via: Via,
    subject: &'static str,
    body: &'static str,
    image: bool,
    support_type: Option<SupportType>,
    priority: Priority,
    missing: &'static [ChecklistItem],
    /// Acceptable assignees by name; empty: unassigned.
    assignee: &'static [&'static str],
    acknowledged: bool,
    /// The acknowledgement names the personal agent's phone.
    urgent_phone: Option<&'static str>,
    redirect: Option<Channel>,
    /// First-response and resolution targets in business hours.
    sla: (i64, i64),
}

// Senders. Tienda Ana's personal agent is Pilar; Moda Luis's personal agent is away, so
// Berto covers; Huérfana's personal agent is away and it has no backup; a Gmail sender
// belongs to no account.
const TIENDA: &str = "marta@tienda-ana.es";
const MODA: &str = "luis@modaluis.com";
const HUERFANA: &str = "eva@huerfana.es";
const GMAIL: &str = "pepe.garcia1985@gmail.com";

const PILAR_PHONE: &str = "+34600111222";
const BERTO_PHONE: &str = "+34600333444";

use SupportType::{Administrative as Admin, Technical as Tech, Usage};

struct Desk {
    app: App,
    admin: Principal,
    _blobs: tempfile::TempDir,
}

async fn desk(db: &TestDb) -> Result<Desk, Box<dyn std::error::Error>> {
    let blobs = tempfile::tempdir()?;
    let mut settings = AppSettings::new(
        TicketPrefix::parse("VND")?,
        "Vendomia",
        "soporte@vendomia.com",
    );
    // The same customers write many times here; loop protection is tested elsewhere.
    settings.email.auto_answers_per_hour = 1000;
    let app = App::new(
        db.store.clone(),
        Arc::new(DiskBlobStore::new(blobs.path())?),
        settings,
    )
    .with_mail(Arc::new(soporte_mail::MimeCodec));
    let agent =
        |email: &str, name: &str, phone: Option<&str>, role: Role, types: Vec<SupportType>| {
            AgentInput {
                email: email.into(),
                name: name.into(),
                phone: phone.map(str::to_string),
                role: Some(role),
                types,
                ..AgentInput::default()
            }
        };
    let ana = app
        .create_agent(&agent(
            "ana@vendomia.com",
            "Ana",
            None,
            Role::Admin,
            vec![Admin],
        ))
        .await?;
    let pilar = app
        .create_agent(&agent(
            "pilar@vendomia.com",
            "Pilar",
            Some(PILAR_PHONE),
            Role::Agent,
            vec![Usage],
        ))
        .await?;
    let berto = app
        .create_agent(&agent(
            "berto@vendomia.com",
            "Berto",
            Some(BERTO_PHONE),
            Role::Agent,
            vec![Usage],
        ))
        .await?;
    app.create_agent(&agent(
        "tomas@vendomia.com",
        "Tomás",
        None,
        Role::Agent,
        vec![Tech],
    ))
    .await?;
    let away = app
        .create_agent(&agent(
            "ausente@vendomia.com",
            "Ausente",
            Some("+34600999999"),
            Role::Agent,
            vec![Tech],
        ))
        .await?;
    let now = jiff::Timestamp::now();
    app.update_agent(
        away.id,
        &AgentUpdate {
            absences: Some(vec![Absence {
                starts_at: now - jiff::SignedDuration::from_hours(24),
                ends_at: now + jiff::SignedDuration::from_hours(24 * 30),
            }]),
            ..AgentUpdate::default()
        },
    )
    .await?;
    let account = |name: &str, domain: &str, personal, backup| AccountInput {
        name: name.into(),
        email_domains: vec![domain.into()],
        personal_agent_id: personal,
        backup_agent_id: backup,
        ..AccountInput::default()
    };
    app.create_account(&account(
        "Tienda Ana",
        "tienda-ana.es",
        Some(pilar.id),
        Some(berto.id),
    ))
    .await?;
    app.create_account(&account(
        "Moda Luis",
        "modaluis.com",
        Some(away.id),
        Some(berto.id),
    ))
    .await?;
    app.create_account(&account("Huérfana", "huerfana.es", Some(away.id), None))
        .await?;
    let token = app
        .issue_token(TokenOwner::Agent(ana.id), TokenScope::Admin, "")
        .await?;
    let admin = app.authenticate(&token.plaintext).await?;
    Ok(Desk {
        app,
        admin,
        _blobs: blobs,
    })
}

fn raw_email(n: usize, case: &Case, from: &str, robot: bool) -> String {
    let robot = if robot {
        "Auto-Submitted: auto-generated\r\n"
    } else {
        ""
    };
    let head = format!(
        "From: Cliente <{from}>\r\nTo: soporte@vendomia.com\r\nSubject: {}\r\nMessage-ID: <case-{n}@test>\r\n{robot}MIME-Version: 1.0\r\n",
        case.subject
    );
    let body = case.body.replace('\n', "\r\n");
    if case.image {
        format!(
            "{head}Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n\
--b\r\nContent-Type: image/png; name=\"captura.png\"\r\nContent-Disposition: attachment; filename=\"captura.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n--b--\r\n"
        )
    } else {
        format!(
            "{head}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
        )
    }
}

async fn open(desk: &Desk, n: usize, case: &Case) -> Result<Ticket, Box<dyn std::error::Error>> {
    match case.via {
        Via::Email { from, robot } => {
            let outcome = desk
                .app
                .intake_email(
                    raw_email(n, case, from, robot).as_bytes(),
                    &IntakeSource::Api,
                )
                .await?;
            let IntakeOutcome::Created {
                ticket_id,
                new_ticket: true,
                ..
            } = outcome
            else {
                return Err(format!("{}: no new ticket: {outcome:?}", case.name).into());
            };
            Ok(desk.app.ticket(&desk.admin, ticket_id).await?)
        }
        Via::Recorded {
            channel,
            from,
            support_type,
            priority,
        } => Ok(desk
            .app
            .create_ticket(
                &desk.admin,
                &TicketInput {
                    subject: case.subject.into(),
                    body: case.body.into(),
                    requester_email: Some(from.into()),
                    channel: Some(channel),
                    support_type,
                    priority,
                    ..TicketInput::default()
                },
            )
            .await?),
    }
}

/// Checks one case; returns what differs, so that every failing case is reported at once.
async fn check(
    desk: &Desk,
    n: usize,
    case: &Case,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let ticket = open(desk, n, case).await?;
    let mut wrong = Vec::new();
    let mut expect = |what: &str, ok: bool, detail: String| {
        if !ok {
            wrong.push(format!("{what}: {detail}"));
        }
    };
    expect(
        "type",
        ticket.support_type == case.support_type,
        format!(
            "{:?} (confidence {:?}), expected {:?}",
            ticket.support_type, ticket.policy.type_confidence, case.support_type
        ),
    );
    expect(
        "priority",
        ticket.priority == case.priority,
        format!("{}, expected {}", ticket.priority, case.priority),
    );
    let checklist = ticket.policy.checklist.clone().unwrap_or_else(|| {
        soporte_core::policy::checklist::Checklist {
            items: vec![],
            complete: false,
        }
    });
    let missing: Vec<ChecklistItem> = checklist.missing().collect();
    expect(
        "missing",
        missing == case.missing,
        format!(
            "{missing:?}, expected {:?}; evidence {:?}",
            case.missing,
            checklist
                .items
                .iter()
                .filter(|i| i.present)
                .map(|i| (i.key, i.evidence.clone()))
                .collect::<Vec<_>>()
        ),
    );
    expect(
        "complete",
        checklist.complete == case.missing.is_empty(),
        format!("{}", checklist.complete),
    );

    let detail = desk.app.ticket_detail(&desk.admin, ticket.id).await?;
    let assignee = detail.assignee_name.clone().unwrap_or_default();
    let assignee_ok = if case.assignee.is_empty() {
        ticket.assignee_id.is_none()
    } else {
        case.assignee.contains(&assignee.as_str())
    };
    expect(
        "assignee",
        assignee_ok,
        format!("{assignee:?}, expected one of {:?}", case.assignee),
    );
    expect(
        "redirect",
        ticket.policy.redirect == case.redirect,
        format!("{:?}, expected {:?}", ticket.policy.redirect, case.redirect),
    );

    let answers: Vec<_> = detail
        .messages
        .iter()
        .filter(|m| m.kind == MessageKind::Outbound && m.automatic.is_some())
        .collect();
    if case.acknowledged {
        expect(
            "one acknowledgement",
            answers.len() == 1,
            format!("{} answers", answers.len()),
        );
        if let Some(ack) = answers.first() {
            let text = &ack.body_text;
            expect(
                "answered on the request's channel",
                ack.channel == ticket.channel,
                format!("{} vs {}", ack.channel, ticket.channel),
            );
            expect("number", text.contains(&ticket.number), text.clone());
            let templates = &desk.app.settings().email.templates;
            for item in [Screenshot, Location, Timing, AccountUser, Description] {
                let asked = text.contains(templates.item_request(item));
                expect(
                    &format!("asks for {item}"),
                    asked == case.missing.contains(&item),
                    text.clone(),
                );
            }
            expect(
                "model example when something is missing",
                text.contains("Política de Garantía") != case.missing.is_empty(),
                text.clone(),
            );
            match case.urgent_phone {
                Some(phone) => expect(
                    "urgent phone",
                    text.contains(&format!("al {phone}.")),
                    text.clone(),
                ),
                None => expect(
                    "no urgent phone",
                    !text.contains("Si es urgente"),
                    text.clone(),
                ),
            }
            expect(
                "redirect text",
                text.contains("se atiende por correo electrónico") == case.redirect.is_some(),
                text.clone(),
            );
        }
        let by_email = matches!(case.via, Via::Email { .. })
            || matches!(ticket.channel, Channel::Api | Channel::Portal);
        let queued = desk
            .app
            .list_outbox(&desk.admin, None)
            .await?
            .into_iter()
            .filter(|o| o.ticket_id == Some(ticket.id.0) && o.kind == "acknowledgement")
            .count();
        expect(
            "acknowledgement e-mail",
            queued == usize::from(by_email),
            format!("{queued} queued"),
        );
    } else {
        expect(
            "no acknowledgement",
            answers.is_empty(),
            format!("{} answers", answers.len()),
        );
    }

    let policy = &desk.app.settings().policy;
    let cal = &policy.calendar;
    let sla = &ticket.policy.sla;
    let first = cal.add_business_time(
        ticket.created_at,
        jiff::SignedDuration::from_hours(case.sla.0),
    );
    let resolution = cal.add_business_time(
        ticket.created_at,
        jiff::SignedDuration::from_hours(case.sla.1),
    );
    expect(
        "first response due",
        sla.first_response_due == Some(first),
        format!(
            "{:?}, expected {first} ({}h)",
            sla.first_response_due, case.sla.0
        ),
    );
    expect(
        "resolution due",
        sla.resolution_due == Some(resolution),
        format!(
            "{:?}, expected {resolution} ({}h)",
            sla.resolution_due, case.sla.1
        ),
    );
    expect(
        "sla state",
        sla.state == Some(soporte_core::policy::sla::SlaState::OnTrack)
            || sla.state == Some(soporte_core::policy::sla::SlaState::AtRisk),
        format!("{:?}", sla.state),
    );
    Ok(wrong)
}

async fn every_scenario_holds(desk: &Desk) -> TestResult {
    let cases = cases();
    assert!(cases.len() >= 50, "the suite has {} cases", cases.len());
    let mut failures = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let wrong = check(desk, n, case).await?;
        if !wrong.is_empty() {
            failures.push(format!("#{n} {}:\n    {}", case.name, wrong.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    Ok(())
}

soporte_store::on_both_databases!(desk; every_scenario_holds);
