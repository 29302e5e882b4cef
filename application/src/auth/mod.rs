//! Authentication (AUTH-1, AUTH-3): tenants and API clients as events,
//! client secrets as Argon2id hashes, OAuth 2.0 client-credentials tokens as
//! Ed25519-signed JWTs. See docs/security.md.

pub mod invitations;
pub mod keys;
mod operator_access;
pub mod secrets;
pub mod signatures;
mod tenant_list;
pub mod tenants;
pub mod tokens;
pub mod vault;
mod workflow;

pub use invitations::{InvitationService, InvitedIndividual, IssuedInvitation};
pub use keys::SigningKeys;
pub use operator_access::ALL_TENANTS;
pub use tenants::{AuthenticatedClient, Credentials, NewTenant, TenantPolicy, TenantService};
pub use tokens::{Claims, Tokens};
pub use vault::Vault;
