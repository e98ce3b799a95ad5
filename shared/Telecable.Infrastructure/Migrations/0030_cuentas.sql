-- Accounts of the local development issuer (issue 21): customers who signed up and staff managed by
-- admin. In Azure the same flows run in Entra External ID (docs/cuentas.md) and these tables stay empty.

CREATE TABLE cuentas (
    id                 uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    -- What the person types to sign in: a customer's e-mail (lower-cased) or a staff user name.
    usuario            text         NOT NULL CHECK (usuario = lower(btrim(usuario)) AND char_length(usuario) BETWEEN 3 AND 254),
    tipo               text         NOT NULL CHECK (tipo IN ('cliente', 'personal')),
    nombre             text         NOT NULL CHECK (btrim(nombre) <> '' AND char_length(nombre) <= 254),
    roles              text[]       NOT NULL CHECK (cardinality(roles) >= 1),
    cliente_id         uuid         REFERENCES clientes (id),
    tecnico_id         uuid         REFERENCES tecnicos (id),
    -- ASP.NET Core Identity PasswordHasher v3 (PBKDF2-HMAC-SHA512); null until the person sets one.
    password_hash      text,
    estado             text         NOT NULL DEFAULT 'pendiente_verificacion'
                                    CHECK (estado IN ('pendiente_verificacion', 'activa', 'desactivada')),
    -- Where codes go: the customer's channel at sign-up, the staff member's e-mail.
    canal              text         NOT NULL CHECK (canal IN ('email', 'whatsapp')),
    destino            text         NOT NULL CHECK (btrim(destino) <> ''),
    intentos_fallidos  integer      NOT NULL DEFAULT 0 CHECK (intentos_fallidos >= 0),
    bloqueada_hasta    timestamptz,
    ultimo_acceso      timestamptz,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now(),
    version            integer      NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT ck_cuentas_cliente CHECK ((tipo = 'cliente') = (cliente_id IS NOT NULL)),
    CONSTRAINT ck_cuentas_activa_con_password CHECK (estado <> 'activa' OR password_hash IS NOT NULL)
);
CREATE UNIQUE INDEX ux_cuentas_usuario ON cuentas (usuario);
-- One account per customer.
CREATE UNIQUE INDEX ux_cuentas_cliente ON cuentas (cliente_id) WHERE cliente_id IS NOT NULL;
CREATE TRIGGER tr_cuentas_updated_at BEFORE UPDATE ON cuentas
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

-- One-time codes (verification, password reset, staff invitation): only a hash is kept; a code dies
-- when used, when a newer one of the same purpose is issued, after its attempts or at expira_en.
CREATE TABLE cuentas_codigos (
    id            uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    cuenta_id     uuid         NOT NULL REFERENCES cuentas (id),
    proposito     text         NOT NULL CHECK (proposito IN ('verificacion', 'restablecimiento')),
    codigo_hash   bytea        NOT NULL,
    expira_en     timestamptz  NOT NULL,
    intentos      integer      NOT NULL DEFAULT 0 CHECK (intentos >= 0),
    usado_en      timestamptz,
    anulado_en    timestamptz,
    created_at    timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX ix_cuentas_codigos_vigentes ON cuentas_codigos (cuenta_id, proposito, created_at DESC)
    WHERE usado_en IS NULL AND anulado_en IS NULL;

-- Signed-in sessions: the token's sid claim; a token whose session is closed or expired is refused.
CREATE TABLE sesiones (
    id           uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    cuenta_id    uuid         NOT NULL REFERENCES cuentas (id),
    creada_en    timestamptz  NOT NULL DEFAULT now(),
    expira_en    timestamptz  NOT NULL,
    cerrada_en   timestamptz,
    cid          text
);
CREATE INDEX ix_sesiones_cuenta ON sesiones (cuenta_id) WHERE cerrada_en IS NULL;
