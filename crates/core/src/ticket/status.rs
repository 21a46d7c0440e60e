use crate::string_enum;

string_enum!(
    /// Where a ticket is in its life. `pending` means support waits on the customer;
    /// `on_hold` means support waits on someone else (a developer, a provider).
    Status {
        New => "new",
        Open => "open",
        Pending => "pending",
        OnHold => "on_hold",
        Solved => "solved",
        Closed => "closed",
    }
);

impl Status {
    /// The allowed moves. Nothing returns to `new`; `closed` is final (a customer who
    /// writes again about a closed ticket starts a new one); only a solved ticket closes,
    /// except a new one, which can be closed straight away as spam or a duplicate.
    pub fn can_become(self, next: Status) -> bool {
        use Status::*;
        if self == next {
            return true;
        }
        match self {
            New => matches!(next, Open | Pending | OnHold | Solved | Closed),
            Open => matches!(next, Pending | OnHold | Solved),
            Pending => matches!(next, Open | OnHold | Solved),
            OnHold => matches!(next, Open | Pending | Solved),
            Solved => matches!(next, Open | Closed),
            Closed => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Status::{self, *};

    #[test]
    fn transition_table() {
        // (from, to, allowed)
        let table = [
            (New, Open, true),
            (New, Closed, true),
            (Open, New, false),
            (Open, Pending, true),
            (Open, Closed, false),
            (Pending, Open, true),
            (OnHold, Solved, true),
            (Solved, Open, true),
            (Solved, Closed, true),
            (Solved, Pending, false),
            (Closed, Open, false),
            (Closed, Solved, false),
            (Closed, Closed, true),
        ];
        for (from, to, allowed) in table {
            assert_eq!(from.can_become(to), allowed, "{from} -> {to}");
        }
    }

    #[test]
    fn nothing_goes_back_to_new() {
        for s in Status::ALL.iter().filter(|s| **s != New) {
            assert!(!s.can_become(New), "{s}");
        }
    }
}
