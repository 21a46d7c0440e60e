//! Which channels each support type is handled on, and where a request that came by the
//! wrong one is pointed. The policy: technical support only by e-mail; usage by the agent's
//! WhatsApp, e-mail (preferred when not urgent) or phone; administrative by e-mail, and
//! urgent administrative matters by the personal agent's phone.

use crate::support::{Channel, Priority, SupportType};
use serde::{Deserialize, Serialize};

/// The channels one support type is accepted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRule {
    /// Accepted for any request of the type.
    pub channels: Vec<Channel>,
    /// Accepted in addition when the request is urgent.
    pub urgent_channels: Vec<Channel>,
    /// Where a request on a channel that isn't accepted is pointed.
    pub redirect_to: Channel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRules {
    pub administrative: ChannelRule,
    pub usage: ChannelRule,
    pub technical: ChannelRule,
}

impl Default for ChannelRules {
    fn default() -> Self {
        use Channel::*;
        Self {
            administrative: ChannelRule {
                channels: vec![Email],
                urgent_channels: vec![Phone],
                redirect_to: Email,
            },
            usage: ChannelRule {
                channels: vec![Whatsapp, Email, Phone],
                urgent_channels: vec![],
                redirect_to: Email,
            },
            technical: ChannelRule {
                channels: vec![Email],
                urgent_channels: vec![],
                redirect_to: Email,
            },
        }
    }
}

impl ChannelRules {
    pub fn rule(&self, support_type: SupportType) -> &ChannelRule {
        match support_type {
            SupportType::Administrative => &self.administrative,
            SupportType::Usage => &self.usage,
            SupportType::Technical => &self.technical,
        }
    }

    /// `None` when the request may stay on its channel; otherwise the channel the customer
    /// should use. The request is recorded either way. The portal form and the API are
    /// written requests like e-mail, so every type is accepted on them.
    pub fn redirect(
        &self,
        support_type: SupportType,
        channel: Channel,
        priority: Priority,
    ) -> Option<Channel> {
        if matches!(channel, Channel::Portal | Channel::Api) {
            return None;
        }
        let rule = self.rule(support_type);
        let accepted = rule.channels.contains(&channel)
            || (priority == Priority::Urgent && rule.urgent_channels.contains(&channel));
        (!accepted && channel != rule.redirect_to).then_some(rule.redirect_to)
    }

    /// Whether the personal agent's phone is a way in for urgent matters of this type, so
    /// the acknowledgement can say so.
    pub fn urgent_by_phone(&self, support_type: SupportType) -> bool {
        let rule = self.rule(support_type);
        rule.channels.contains(&Channel::Phone) || rule.urgent_channels.contains(&Channel::Phone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Channel::*;
    use Priority::*;
    use SupportType::*;

    #[test]
    fn policy_defaults_redirect_what_the_policy_does_not_accept() {
        let rules = ChannelRules::default();
        let cases = [
            (Technical, Email, Normal, None),
            (Technical, Whatsapp, Normal, Some(Email)),
            (Technical, Phone, Urgent, Some(Email)),
            (Technical, Portal, Normal, None),
            (Administrative, Api, Normal, None),
            (Usage, Whatsapp, Normal, None),
            (Usage, Phone, Normal, None),
            (Usage, Email, Urgent, None),
            (Administrative, Email, Normal, None),
            (Administrative, Phone, Normal, Some(Email)),
            (Administrative, Phone, Urgent, None),
            (Administrative, Whatsapp, Urgent, Some(Email)),
        ];
        for (support_type, channel, priority, expected) in cases {
            assert_eq!(
                rules.redirect(support_type, channel, priority),
                expected,
                "{support_type} by {channel} ({priority})"
            );
        }
    }

    #[test]
    fn urgent_phone_path_is_named_for_administrative_and_usage_only() {
        let rules = ChannelRules::default();
        assert!(rules.urgent_by_phone(Administrative));
        assert!(rules.urgent_by_phone(Usage));
        assert!(!rules.urgent_by_phone(Technical));
    }
}
