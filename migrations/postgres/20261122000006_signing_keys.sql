-- Token signing keys (AUTH-1). The newest signs; every row verifies and is
-- published at /.well-known/jwks.json. Private keys are PKCS#8 Ed25519.
CREATE TABLE signing_keys
(
    kid         text   PRIMARY KEY,
    private_key bytea  NOT NULL,
    public_key  bytea  NOT NULL,
    created_at  bigint NOT NULL
);
