//! Coverage of a policy: eligible, covered and not covered per unit on a date.
