//! The email address: its syntax (checked when it was submitted), its
//! domain's shape (labels, a real top-level domain, not a name reserved for
//! documentation or tests), and — when looked up — its mail servers.

use super::{item, Finding, KyaItem};
use crate::case::EmailAddress;

/// Top-level and second-level names that never receive mail (RFC 2606,
/// RFC 6761).
const RESERVED: [&str; 8] = [
    "example",
    "test",
    "invalid",
    "localhost",
    "local",
    "example.com",
    "example.org",
    "example.net",
];

fn label_ok(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// Why the domain cannot receive mail, if it cannot.
fn domain_problem(domain: &str) -> Option<String> {
    let labels: Vec<&str> = domain.split('.').collect();
    let tld = labels.last().copied().unwrap_or_default();
    if labels.len() < 2 || !labels.iter().all(|l| label_ok(l)) {
        return Some(format!("{domain} is not a valid domain name"));
    }
    if tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Some(format!("{domain} has no valid top-level domain"));
    }
    let last_two = labels[labels.len() - 2..].join(".");
    if RESERVED.contains(&tld) || RESERVED.contains(&last_two.as_str()) {
        return Some(format!("{domain} is reserved and receives no mail"));
    }
    None
}

pub(super) fn items(email: Option<&EmailAddress>, has_mx: Option<bool>) -> Vec<KyaItem> {
    let Some(email) = email else {
        return vec![item(
            "email",
            Finding::NotChecked,
            "no email address was given",
        )];
    };
    let domain = email
        .as_str()
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or_default();
    let mut items = vec![item(
        "email",
        Finding::Pass,
        format!("{} is a well-formed address", email.as_str()),
    )];
    items.push(match domain_problem(domain) {
        Some(problem) => item("email_domain", Finding::Fail, problem),
        None => item(
            "email_domain",
            Finding::Pass,
            format!("{domain} is a plausible mail domain"),
        ),
    });
    items.push(match has_mx {
        Some(true) => item(
            "email_mx",
            Finding::Pass,
            format!("{domain} has mail servers"),
        ),
        Some(false) => item(
            "email_mx",
            Finding::Fail,
            format!("{domain} has no mail servers"),
        ),
        None => item(
            "email_mx",
            Finding::NotChecked,
            format!("the mail servers of {domain} were not looked up"),
        ),
    });
    items
}

#[cfg(test)]
mod tests {
    use super::domain_problem;

    #[test]
    fn domains_that_cannot_receive_mail_are_named() {
        assert_eq!(domain_problem("gmail.com"), None);
        assert_eq!(domain_problem("mail.bund.de"), None);
        for bad in [
            "localhost",
            "a..b",
            "-x.com",
            "x.c0m",
            "x.c",
            "mail.example",
            "example.com",
            "host.test",
        ] {
            assert!(domain_problem(bad).is_some(), "{bad}");
        }
    }
}
