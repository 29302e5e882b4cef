-- Token signing keys are sealed at rest with the vault's key (AES-256-GCM,
-- the kid bound in): 1 = `private_key` holds the sealed PKCS#8, 0 = a key
-- written before sealing, sealed in place at the next start.
ALTER TABLE signing_keys ADD COLUMN sealed integer NOT NULL DEFAULT 0;
