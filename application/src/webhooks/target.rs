//! Where webhooks may go. A tenant must not make the service call its own
//! network: loopback, private, link-local, shared (CGNAT), multicast and
//! reserved addresses are refused — when the endpoint is registered and
//! again at every delivery, on the addresses actually connected to (a name
//! may resolve elsewhere later) — unless configuration allows them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("not a valid URL: {0}")]
    Syntax(String),
    #[error("webhooks are delivered over https only")]
    Scheme,
    #[error("the URL may not carry a user name or password")]
    Credentials,
    #[error("{0} is not a public address (private, loopback, link-local or reserved)")]
    NotPublic(IpAddr),
    #[error("the host {0} does not resolve")]
    Unresolved(String),
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

fn public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return public_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address it embeds.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., hi, lo] = segments;
        return public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)) // documentation
}

/// Whether an address is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

/// Checks a URL's form: absolute, https (http too when private targets are
/// allowed), a host, no credentials.
pub fn parse(url: &str, allow_private: bool) -> Result<Url, TargetError> {
    let parsed = Url::parse(url.trim()).map_err(|e| TargetError::Syntax(e.to_string()))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(TargetError::Scheme),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(TargetError::Syntax("the URL has no host".into()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(TargetError::Credentials);
    }
    Ok(parsed)
}

/// Checks a URL's form and, unless private targets are allowed, that every
/// address its host resolves to is public.
pub async fn check(url: &str, allow_private: bool) -> Result<Url, TargetError> {
    let parsed = parse(url, allow_private)?;
    if allow_private {
        return Ok(parsed);
    }
    let host = parsed.host_str().unwrap_or_default().to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<IpAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|_| TargetError::Unresolved(host.clone()))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() {
        return Err(TargetError::Unresolved(host));
    }
    match addresses.into_iter().find(|ip| !is_public(*ip)) {
        Some(ip) => Err(TargetError::NotPublic(ip)),
        None => Ok(parsed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(ip.parse().expect(ip)), "{ip}");
        }
        for ip in [
            "93.184.215.14",
            "8.8.8.8",
            "2606:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip.parse().expect(ip)), "{ip}");
        }
    }

    #[tokio::test]
    async fn urls_are_refused_for_form_scheme_and_target() {
        assert_eq!(
            parse("http://hooks.example.com/", false),
            Err(TargetError::Scheme)
        );
        assert_eq!(
            parse("ftp://hooks.example.com/", true),
            Err(TargetError::Scheme)
        );
        assert_eq!(
            parse("https://user:pw@hooks.example.com/", false),
            Err(TargetError::Credentials)
        );
        assert!(matches!(
            parse("not a url", false),
            Err(TargetError::Syntax(_))
        ));
        assert!(matches!(
            check("https://127.0.0.1:9/hook", false).await,
            Err(TargetError::NotPublic(_))
        ));
        assert!(matches!(
            check("https://[::1]/hook", false).await,
            Err(TargetError::NotPublic(_))
        ));
        assert!(matches!(
            check("https://localhost/hook", false).await,
            Err(TargetError::NotPublic(_))
        ));
        assert!(check("http://127.0.0.1:9/hook", true).await.is_ok());
    }
}
