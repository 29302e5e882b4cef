-- Token signing keys (AUTH-1). The newest signs; every row verifies and is
-- published at /.well-known/jwks.json. Private keys are PKCS#8 Ed25519.
CREATE TABLE signing_keys
(
    kid         TEXT    PRIMARY KEY,
    private_key BLOB    NOT NULL,
    public_key  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
