//! Telling open consoles about calls the moment their events are stored: a ringing call
//! puts the caller's card on the called agent's screen; an answer or a hang-up takes it
//! away. Signals reach the consoles this process serves; each console then reads the call
//! itself, so a signal carries no customer data.

use crate::App;
use soporte_core::ids::{AgentId, CallId};
use soporte_core::phone::CallProgress;
use soporte_store::StoredCall;
use tokio::sync::broadcast;

/// Signals kept for a console that reads slowly; one that falls further behind is told
/// it lagged and looks again.
pub(crate) const SIGNALS_KEPT: usize = 1024;

/// A call changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallSignal {
    pub call: CallId,
    /// Whose call it is, when known.
    pub agent: Option<AgentId>,
    pub progress: CallProgress,
}

impl App {
    /// Signals of every call change from now on.
    pub fn subscribe_calls(&self) -> broadcast::Receiver<CallSignal> {
        self.call_signals.subscribe()
    }

    pub(super) fn signal_call(&self, call: &StoredCall) {
        // No console listening is not an error.
        let _ = self.call_signals.send(CallSignal {
            call: call.id,
            agent: call.agent,
            progress: call.record.progress(),
        });
    }
}
