//! The WhatsApp channel's health as an administrator reads it: when Meta last sent
//! something, the last error (an expired access token shows here first), and the bodies
//! still waiting to be taken in.

use crate::{App, Principal, Result};
use soporte_store::WhatsAppHealth;

impl App {
    /// The channel's health, for administrators; `None` when the channel is not
    /// configured (there is nothing to be healthy).
    pub async fn whatsapp_health(&self, who: &Principal) -> Result<Option<WhatsAppHealth>> {
        who.require_admin()?;
        if !self.whatsapp_enabled() {
            return Ok(None);
        }
        Ok(Some(self.store.whatsapp_health().await?))
    }
}
