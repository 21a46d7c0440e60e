//! The vocabulary of the support policy: the three support types, the channels a request
//! can arrive by, and priorities.

/// Declares a closed set of values with a stable lowercase spelling used in JSON, in the
/// database and on the command line.
#[macro_export]
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$variant_doc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $($(#[$variant_doc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Every accepted spelling, for error messages.
            pub fn expected() -> String {
                [$($text),+].join(", ")
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ValidationError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::ValidationError::new(
                        stringify!($name),
                        format!("unknown value {other:?}; expected one of: {}", $name::expected()),
                    )),
                }
            }
        }
    };
}

string_enum!(
    /// The policy's three kinds of support, each with its own channels.
    SupportType {
        Administrative => "administrative",
        Usage => "usage",
        Technical => "technical",
    }
);

string_enum!(
    /// Where a request came from.
    Channel {
        Email => "email",
        Whatsapp => "whatsapp",
        Phone => "phone",
        Portal => "portal",
        Api => "api",
    }
);

string_enum!(
    Priority {
        Normal => "normal",
        Urgent => "urgent",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_through_text_and_json() {
        for t in SupportType::ALL {
            assert_eq!(t.as_str().parse::<SupportType>(), Ok(*t));
            let json = serde_json::to_string(t).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(*c));
        }
    }

    #[test]
    fn unknown_spelling_names_the_accepted_ones() {
        let err = "fax".parse::<Channel>().err().map(|e| e.message);
        assert_eq!(
            err.as_deref(),
            Some("unknown value \"fax\"; expected one of: email, whatsapp, phone, portal, api")
        );
    }
}
