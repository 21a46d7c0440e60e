//! The support policy applied to tickets: the decisions at intake (type, kind, urgency,
//! checklist, channel redirect, assignee, acknowledgement), the rules inside every later
//! change (SLA clock, checklist, notifications), the classifier's training and the SLA
//! worker's check.

mod acknowledgement;
mod classifier;
mod effects;
mod sla;
mod view;

pub use classifier::TrainingReport;
pub use sla::SLA_BATCH;
pub use view::{CalendarView, ClassifierView, PolicyView};

pub(crate) use acknowledgement::{Acknowledgement, AcknowledgementMail, missing_items_draft};
pub(crate) use effects::{IntakeEffects, PolicyEffects};

use crate::email::OutgoingMail;
use crate::{App, Result};
use jiff::Timestamp;
use soporte_core::directory::Agent;
use soporte_core::ids::AccountId;
use soporte_core::policy::classifier::Classifier;
use soporte_core::policy::intake::{IntakeDecision, IntakeRequest, decide_intake};
use soporte_core::policy::routing::{Assignment, assign_by_load, assign_for_account};
use soporte_core::support::{Channel, Priority, SupportType};
use std::sync::{Arc, OnceLock, RwLock};

/// The classifier trained on the examples shipped with Soporte, trained once per process.
pub(crate) fn builtin_classifier() -> Arc<Classifier> {
    static BUILTIN: OnceLock<Arc<Classifier>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| {
            Arc::new(Classifier::train(
                &soporte_core::policy::classifier::builtin_examples(),
            ))
        })
        .clone()
}

/// The classifier in use and the stored model it came from (`None`: the one trained on
/// the shipped examples); retraining swaps both while requests keep classifying.
#[derive(Clone)]
pub(crate) struct ClassifierSlot(Arc<RwLock<(Arc<Classifier>, Option<i64>)>>);

impl ClassifierSlot {
    pub fn builtin() -> Self {
        Self(Arc::new(RwLock::new((builtin_classifier(), None))))
    }

    fn read(&self) -> (Arc<Classifier>, Option<i64>) {
        match self.0.read() {
            Ok(slot) => slot.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn current(&self) -> Arc<Classifier> {
        self.read().0
    }

    pub fn model_id(&self) -> Option<i64> {
        self.read().1
    }

    pub fn replace(&self, classifier: Classifier, model_id: i64) {
        let mut slot = match self.0.write() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = (Arc::new(classifier), Some(model_id));
    }
}

/// A new request as the policy sees it.
pub(crate) struct NewRequest<'a> {
    pub subject: &'a str,
    pub text: &'a str,
    pub channel: Channel,
    pub has_image: bool,
    pub requester_name: &'a str,
    pub requester_email: Option<&'a str>,
    pub account_id: Option<AccountId>,
    pub support_type: Option<SupportType>,
    pub priority: Option<Priority>,
    /// Imported history: recorded and classified, but nobody is told and no SLA clock
    /// starts for requests that were handled elsewhere long ago.
    pub history: bool,
}

/// What the policy decided for a new ticket, ready to be written.
pub(crate) struct PreparedTicket {
    pub decision: IntakeDecision,
    pub assignment: Option<Assignment>,
    pub effects: Arc<PolicyEffects>,
}

impl App {
    /// Applies the policy to a new request. `answer_by`: the e-mail that carries the
    /// acknowledgement, when the request is answered by e-mail; `may_answer`: false for
    /// automatic mail and imported history.
    pub(crate) async fn prepare_ticket(
        &self,
        request: &NewRequest<'_>,
        may_answer: bool,
        answer_by: Option<Arc<dyn OutgoingMail>>,
        known_agents: Option<Arc<Vec<Agent>>>,
    ) -> Result<PreparedTicket> {
        let account = match request.account_id {
            Some(id) => self.store.account(id).await?,
            None => None,
        };
        let known_sender = account.as_ref().map(|a| {
            known_sender(
                request.requester_name,
                request.requester_email.unwrap_or_default(),
                a,
            )
        });
        let classifier = self.classifier.current();
        let decision = decide_intake(
            &self.settings().policy,
            &classifier,
            &IntakeRequest {
                subject: request.subject,
                text: request.text,
                channel: request.channel,
                has_image: request.has_image,
                known_sender: known_sender.as_deref(),
                support_type: request.support_type,
                priority: request.priority,
            },
        );
        let agents = match known_agents {
            Some(agents) => agents,
            None => Arc::new(self.store.list_agents().await?),
        };
        // The agent covering the account now: its personal agent, or the backup while
        // the personal agent is away. Both routing and the urgent phone follow from it.
        let covering = account.as_ref().and_then(|account| {
            assign_for_account(
                account,
                |id| agents.iter().find(|a| a.id == id).cloned(),
                Timestamp::now(),
            )
        });
        let urgent_contact = self.urgent_contact(&decision, covering.as_ref(), &agents);
        let assignment = match covering {
            Some(assignment) => Some(assignment),
            None => self.route_by_load(&agents, decision.support_type).await?,
        };
        let settings = self.settings();
        // The link goes by e-mail only: it signs its holder in as the customer.
        let portal_link =
            (may_answer && answer_by.is_some() && decision.checklist.missing().next().is_some())
                .then(|| crate::portal::MissingItemsLink::new(&settings))
                .flatten();
        let answer_by = match (&portal_link, answer_by) {
            (Some(link), Some(mail)) => Some(Arc::new(crate::portal::WithPortalLink {
                inner: mail,
                placeholder: crate::portal::MissingItemsLink::placeholder(settings.email.language),
                url: link.url.clone(),
            }) as Arc<dyn OutgoingMail>),
            (_, mail) => mail,
        };
        let acknowledgement = may_answer.then(|| Acknowledgement {
            channel: request.channel,
            name: request.requester_name.to_string(),
            missing: decision.checklist.missing().collect(),
            redirected_type: decision.redirect.and(decision.support_type),
            urgent_contact,
            portal_link,
        });
        let effects = Arc::new(PolicyEffects {
            policy: self.settings().policy.clone(),
            settings: self.settings(),
            agents,
            intake: Some(IntakeEffects {
                events: decision.events(request.channel),
                acknowledgement,
            }),
            mail: if may_answer { answer_by } else { None },
            whatsapp: Vec::new(),
            judged_at: None,
            history: request.history,
            portal_links: Vec::new(),
            satisfaction: None,
        });
        Ok(PreparedTicket {
            decision,
            assignment,
            effects,
        })
    }

    /// The rules for a change to an existing ticket.
    pub(crate) async fn policy_effects(
        &self,
        mail: Option<Arc<dyn OutgoingMail>>,
    ) -> Result<Arc<PolicyEffects>> {
        let agents = Arc::new(self.store.list_agents().await?);
        Ok(self.policy_effects_with(mail, agents))
    }

    /// [`App::policy_effects`] with the agents already read.
    pub(crate) fn policy_effects_with(
        &self,
        mail: Option<Arc<dyn OutgoingMail>>,
        agents: Arc<Vec<Agent>>,
    ) -> Arc<PolicyEffects> {
        Arc::new(self.change_effects(mail, Vec::new(), agents))
    }

    /// The rules for a change to an existing ticket whose outgoing message is delivered by
    /// `mail` or by the WhatsApp sends `whatsapp`.
    pub(crate) fn change_effects(
        &self,
        mail: Option<Arc<dyn OutgoingMail>>,
        whatsapp: Vec<soporte_store::NewWhatsAppOutbox>,
        agents: Arc<Vec<Agent>>,
    ) -> PolicyEffects {
        PolicyEffects {
            policy: self.settings().policy.clone(),
            settings: self.settings(),
            agents,
            intake: None,
            mail,
            whatsapp,
            judged_at: None,
            history: false,
            portal_links: Vec::new(),
            satisfaction: None,
        }
    }

    /// Failing the account's own agents: the agent handling the type with the fewest open
    /// tickets; nobody while the type is unknown.
    async fn route_by_load(
        &self,
        agents: &[Agent],
        support_type: Option<SupportType>,
    ) -> Result<Option<Assignment>> {
        let Some(support_type) = support_type else {
            return Ok(None);
        };
        let ids: Vec<_> = agents.iter().filter(|a| a.active).map(|a| a.id).collect();
        let counts = self.store.open_ticket_counts(&ids).await?;
        Ok(assign_by_load(
            agents,
            |id| counts.get(&id).copied().unwrap_or(0),
            support_type,
            Timestamp::now(),
        ))
    }

    /// Where the type allows urgent matters by phone, the acknowledgement names the phone
    /// of the agent covering the account.
    pub(crate) fn urgent_contact(
        &self,
        decision: &IntakeDecision,
        covering: Option<&Assignment>,
        agents: &[Agent],
    ) -> Option<(String, String)> {
        let support_type = decision.support_type?;
        if !self
            .settings()
            .policy
            .channels
            .urgent_by_phone(support_type)
        {
            return None;
        }
        let covering = covering?.agent_id;
        let agent = agents.iter().find(|a| a.id == covering)?;
        Some((agent.name.clone(), agent.phone.clone()?))
    }
}

/// How the checklist's account-and-user detector is told who wrote: a known contact of an
/// account.
pub(crate) fn known_sender(
    name: &str,
    address: &str,
    account: &soporte_core::directory::Account,
) -> String {
    format!("{name} <{address}>, cuenta {}", account.name)
}
