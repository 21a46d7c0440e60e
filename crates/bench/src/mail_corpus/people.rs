//! Who writes to support: a few addresses at each of ~60 small companies, each person with
//! the mail program they use.

use super::words::{FIRST_NAMES, PLACES, SURNAMES, TLDS, TRADES};
use super::{ADDRESSES_PER_DOMAIN, COMPANY_DOMAINS, Xorshift};
use std::collections::HashSet;

/// The mail program a person uses: it decides Message-IDs, MIME boundaries, charsets and
/// how headers are encoded, which is where real mail differs most.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Client {
    Gmail,
    Outlook,
    Thunderbird,
    AppleMail,
}

pub(super) struct Person {
    pub(super) name: String,
    pub(super) address: String,
    pub(super) domain: usize,
    pub(super) company: String,
    pub(super) client: Client,
}

/// 60 company domains with 5 addresses each: a role address, the administration, and
/// three people, so that most threads are one person but some companies write a lot.
pub(super) fn people(rng: &mut Xorshift) -> Vec<Person> {
    let mut out = Vec::with_capacity(COMPANY_DOMAINS * ADDRESSES_PER_DOMAIN);
    for domain_index in 0..COMPANY_DOMAINS {
        let (trade_label, trade_name) = TRADES[domain_index % TRADES.len()];
        // A different place for each round over the trades, so no domain repeats.
        let round = domain_index / TRADES.len();
        let (place_label, place_name) =
            PLACES[(domain_index % TRADES.len() + round * 7) % PLACES.len()];
        let domain = format!(
            "{trade_label}-{place_label}{}",
            TLDS[domain_index % TLDS.len()]
        );
        let company = format!("{trade_name} {place_name}, S.L.");
        let mut used = HashSet::new();
        for slot in 0..ADDRESSES_PER_DOMAIN {
            let first = *rng.pick(FIRST_NAMES);
            let last = *rng.pick(SURNAMES);
            let name = format!("{first} {last}");
            let mut local = match slot {
                0 => "info".to_string(),
                1 => "administracion".to_string(),
                2 => ascii_label(first),
                3 => format!("{}.{}", ascii_label(first), ascii_label(last)),
                _ => format!("{}{}", &ascii_label(first)[..1], ascii_label(last)),
            };
            while !used.insert(local.clone()) {
                local.push_str(&rng.below(10).to_string());
            }
            let client = match rng.below(100) {
                0..35 => Client::Gmail,
                35..70 => Client::Outlook,
                70..85 => Client::Thunderbird,
                _ => Client::AppleMail,
            };
            out.push(Person {
                name: if slot == 0 { company.clone() } else { name },
                address: format!("{local}@{domain}"),
                domain: domain_index,
                company: company.clone(),
                client,
            });
        }
    }
    out
}

/// "Íñigo Ibáñez" → "inigoibanez": what people make of their names in addresses.
fn ascii_label(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            let plain = match c {
                'á' | 'à' | 'Á' | 'À' => 'a',
                'é' | 'è' | 'É' | 'È' => 'e',
                'í' | 'ï' | 'Í' => 'i',
                'ó' | 'ò' | 'Ó' | 'Ò' => 'o',
                'ú' | 'ü' | 'Ú' | 'Ü' => 'u',
                'ñ' | 'Ñ' => 'n',
                'ç' | 'Ç' => 'c',
                ' ' => return None,
                other => other,
            };
            Some(plain.to_ascii_lowercase())
        })
        .collect()
}
