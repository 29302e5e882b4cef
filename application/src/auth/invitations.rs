//! Individuals' invitations (AUTH-4): a token that lets one individual see
//! and answer one case, until it expires or is revoked. The token is
//! `vti_<invitation id>.<secret>`; only the SHA-256 of the secret is
//! recorded. The secret is derived from the invitation id under the vault's
//! key, so the notifier can put the link in the individual's emails without
//! the token being stored anywhere (ADR 0017).

use std::sync::Arc;

use cqrs_es::EventStore as _;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;
use veritrail_domain::invitation::{Invitation, InvitationCommand};
use veritrail_domain::{CaseId, Clock, TenantId};
use veritrail_event_store::{EventDatabase, EventStore};

use super::secrets;
use super::Vault;
use crate::cases::InvitationGrant;
use crate::{execute, RequestContext, ServiceError};

/// What every invitation token starts with.
pub const TOKEN_PREFIX: &str = "vti_";

/// A newly issued invitation; the token is shown here only.
#[derive(Debug, Clone)]
pub struct IssuedInvitation {
    pub invitation_id: Uuid,
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// Who an invitation token lets in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitedIndividual {
    pub invitation_id: Uuid,
    pub tenant: TenantId,
    pub case_id: CaseId,
}

pub struct InvitationService {
    store: EventStore<Invitation>,
    clock: Arc<dyn Clock>,
    ttl: time::Duration,
    vault: Arc<Vault>,
}

impl std::fmt::Debug for InvitationService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvitationService")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Splits a token into the invitation id and its secret.
fn parse(token: &str) -> Option<(Uuid, &str)> {
    let (id, secret) = token.strip_prefix(TOKEN_PREFIX)?.split_once('.')?;
    if secret.is_empty() {
        return None;
    }
    Some((Uuid::parse_str(id).ok()?, secret))
}

impl InvitationService {
    pub fn new(
        db: &EventDatabase,
        clock: Arc<dyn Clock>,
        ttl: time::Duration,
        vault: Arc<Vault>,
    ) -> Self {
        Self {
            store: db.event_store(vec![]),
            clock,
            ttl,
            vault,
        }
    }

    /// The token of invitation `invitation_id` (whether or not it was
    /// issued, is usable or ever will be: the caller checks that).
    pub fn token(&self, invitation_id: Uuid) -> String {
        let id = invitation_id.simple();
        let secret = hex::encode(self.vault.derive(&format!("invitation/{id}")));
        format!("{TOKEN_PREFIX}{id}.{secret}")
    }

    /// Mints a new invitation: the grant to record (with a case, or through
    /// [`Self::issue`]) and the token to show the caller once.
    pub fn mint(&self) -> (InvitationGrant, IssuedInvitation) {
        let invitation_id = Uuid::now_v7();
        let token = self.token(invitation_id);
        let secret = parse(&token).map(|(_, secret)| secret).unwrap_or_default();
        let expires_at = self.clock.now() + self.ttl;
        let grant = InvitationGrant {
            invitation_id,
            token_hash: digest(secret),
            expires_at,
        };
        let issued = IssuedInvitation {
            invitation_id,
            token,
            expires_at,
        };
        (grant, issued)
    }

    /// Issues an invitation to case `case_id` of the caller's tenant. The
    /// caller has checked that the case exists for that tenant.
    pub async fn issue(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
    ) -> Result<IssuedInvitation, ServiceError> {
        let (grant, issued) = self.mint();
        execute(
            &self.store,
            &grant.invitation_id.to_string(),
            grant.issue(ctx, case_id),
            &(),
            &ctx.metadata(self.clock.now()),
            None,
            ctx.recovering,
        )
        .await?;
        Ok(issued)
    }

    /// Revokes an invitation of case `case_id` in the caller's tenant.
    pub async fn revoke(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        invitation_id: Uuid,
    ) -> Result<(), ServiceError> {
        execute(
            &self.store,
            &invitation_id.to_string(),
            InvitationCommand::Revoke {
                tenant: ctx.tenant.clone(),
                case_id,
            },
            &(),
            &ctx.metadata(self.clock.now()),
            None,
            ctx.recovering,
        )
        .await?;
        Ok(())
    }

    /// The individual a token lets in now, or `None` (malformed, unknown,
    /// wrong secret, expired or revoked — the caller cannot tell which).
    pub async fn authenticate(
        &self,
        token: &str,
    ) -> Result<Option<InvitedIndividual>, ServiceError> {
        let Some((invitation_id, secret)) = parse(token) else {
            return Ok(None);
        };
        let loaded = self
            .store
            .load_aggregate(&invitation_id.to_string())
            .await
            .map_err(ServiceError::from)?;
        let Some(grant) = loaded.aggregate.usable(self.clock.now()) else {
            return Ok(None);
        };
        let matches =
            secrets::constant_time_eq(digest(secret).as_bytes(), grant.token_hash.as_bytes());
        Ok(matches.then(|| InvitedIndividual {
            invitation_id,
            tenant: grant.tenant.clone(),
            case_id: grant.case_id,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_into_id_and_secret_only_when_well_formed() {
        let id = Uuid::now_v7();
        let token = format!("vti_{}.abc", id.simple());
        assert_eq!(parse(&token), Some((id, "abc")));
        assert_eq!(parse(&format!("vti_{}.", id.simple())), None);
        assert_eq!(parse("vti_nothex.abc"), None);
        assert_eq!(parse(&format!("jwt_{}.abc", id.simple())), None);
    }
}
