-- Who asked for each onboarding. The saga reuses an existing customer (same RFC) only for a caller
-- who may act for that customer: support staff (admin, soporte) or that very customer, signed in.
-- An RFC is printed on every invoice; it is not a credential (OWASP API1).
ALTER TABLE altas
    ADD COLUMN solicitante_cliente_id uuid,
    ADD COLUMN solicitante_personal   boolean NOT NULL DEFAULT false;
