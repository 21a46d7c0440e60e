//! The intake checklist: what the policy says helps support solve a request at once
//! ("Nos ayuda mucho"), detected in the customer's own words.

use serde::{Deserialize, Serialize};

crate::string_enum!(
    ChecklistItem {
        Screenshot => "screenshot",
        Location => "location",
        Timing => "timing",
        AccountUser => "account_user",
        Description => "description",
    }
);

/// A part of the product customers name ("Sitios Web", "Tienda") and other ways they say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductArea {
    pub name: String,
    pub synonyms: Vec<String>,
}

/// What the detectors look at: everything the customer has written on the ticket so far.
#[derive(Debug, Clone, Copy)]
pub struct ChecklistInput<'a> {
    pub subject: &'a str,
    /// The customer's visible text (quotes and signatures already removed), all messages.
    pub text: &'a str,
    /// An image attachment or inline image arrived with the customer's messages.
    pub has_image: bool,
    /// Who wrote, when the sender is a known contact of an account: "Ana Pérez <ana@x.es>, cuenta Tienda Ana".
    pub known_sender: Option<&'a str>,
    pub product_areas: &'a [ProductArea],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResult {
    pub key: ChecklistItem,
    pub present: bool,
    /// The customer's words that show the item, quoted; or why it counts as present.
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    pub items: Vec<ItemResult>,
    pub complete: bool,
}

impl Checklist {
    pub fn missing(&self) -> impl Iterator<Item = ChecklistItem> + '_ {
        self.items.iter().filter(|i| !i.present).map(|i| i.key)
    }
}

/// The product areas of the policy's product, with the words customers use for them.
pub fn default_product_areas() -> Vec<ProductArea> {
    Vec::new()
}

/// Runs the detector of each required item, in the order given.
pub fn evaluate(input: &ChecklistInput<'_>, required: &[ChecklistItem]) -> Checklist {
    let items: Vec<ItemResult> = required
        .iter()
        .map(|key| {
            let evidence = detect(*key, input);
            ItemResult {
                key: *key,
                present: evidence.is_some(),
                evidence,
            }
        })
        .collect();
    let complete = items.iter().all(|i| i.present);
    Checklist { items, complete }
}

/// The evidence for one item, or `None` when the text doesn't show it.
pub fn detect(_item: ChecklistItem, _input: &ChecklistInput<'_>) -> Option<String> {
    None
}
