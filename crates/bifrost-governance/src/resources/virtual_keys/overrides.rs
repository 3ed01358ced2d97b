//! Temporary raises of one of a key's budgets (v1.6.7+ servers).

use bifrost_governance_client::types;

use crate::error::InvalidInput;

/// An override of one budget: `amount` USD on top of its `max_limit`, for a number
/// of reset windows (the current one counts as the first) or until removed.
///
/// ```
/// use bifrost_governance::resources::virtual_keys::BudgetOverrideSpec;
///
/// let month_end = BudgetOverrideSpec::for_cycles(50.0, 1)?;
/// let standing = BudgetOverrideSpec::until_removed(25.0)?;
/// assert_eq!(month_end.cycles(), Some(1));
/// assert_eq!(standing.cycles(), None);
/// assert!(BudgetOverrideSpec::for_cycles(50.0, 0).is_err());
/// assert!(BudgetOverrideSpec::until_removed(-1.0).is_err());
/// # Ok::<(), bifrost_governance::InvalidInput>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetOverrideSpec {
    amount_usd: f64,
    cycles: Option<u32>,
}

impl BudgetOverrideSpec {
    /// `amount_usd` extra for `cycles` reset windows, the current one included
    /// (`mode: cycles`).
    pub fn for_cycles(amount_usd: f64, cycles: u32) -> Result<Self, InvalidInput> {
        check_amount(amount_usd)?;
        if cycles == 0 {
            return Err(InvalidInput::new(
                "budget override cycles",
                "must be at least 1 (the current window counts as the first)",
            ));
        }
        Ok(Self {
            amount_usd,
            cycles: Some(cycles),
        })
    }

    /// `amount_usd` extra until the override is removed (`mode: forever`).
    pub fn until_removed(amount_usd: f64) -> Result<Self, InvalidInput> {
        check_amount(amount_usd)?;
        Ok(Self {
            amount_usd,
            cycles: None,
        })
    }

    /// The extra amount, in USD.
    pub fn amount_usd(&self) -> f64 {
        self.amount_usd
    }

    /// The number of reset windows, for a `cycles` override.
    pub fn cycles(&self) -> Option<u32> {
        self.cycles
    }

    pub(super) fn to_request(self) -> types::BudgetOverrideRequest {
        types::BudgetOverrideRequest {
            amount: self.amount_usd,
            mode: match self.cycles {
                Some(_) => types::BudgetOverrideMode::Cycles,
                None => types::BudgetOverrideMode::Forever,
            },
            cycles: self
                .cycles
                .and_then(|c| std::num::NonZeroU64::new(u64::from(c))),
        }
    }
}

fn check_amount(amount_usd: f64) -> Result<(), InvalidInput> {
    if amount_usd.is_finite() && amount_usd > 0.0 {
        Ok(())
    } else {
        Err(InvalidInput::new(
            "budget override amount",
            format!("{amount_usd} is not a positive, finite USD amount"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_modes_serialize_as_the_server_reads_them() {
        let cycles = BudgetOverrideSpec::for_cycles(50.0, 2).unwrap();
        assert_eq!(
            serde_json::to_value(cycles.to_request()).unwrap(),
            json!({"amount": 50.0, "mode": "cycles", "cycles": 2})
        );
        let forever = BudgetOverrideSpec::until_removed(7.5).unwrap();
        assert_eq!(
            serde_json::to_value(forever.to_request()).unwrap(),
            json!({"amount": 7.5, "mode": "forever"})
        );
    }

    #[test]
    fn amounts_must_be_positive_and_finite() {
        for amount in [0.0, -0.0, -3.0, f64::NAN, f64::INFINITY] {
            assert!(
                BudgetOverrideSpec::until_removed(amount).is_err(),
                "{amount}"
            );
            assert!(
                BudgetOverrideSpec::for_cycles(amount, 1).is_err(),
                "{amount}"
            );
        }
    }
}
