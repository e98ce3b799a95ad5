-- 0002_modelo_comercial: the commercial data model of Telecable Comercial.
--
-- Applied by the migrator inside one transaction (no BEGIN/COMMIT here, no CONCURRENTLY).
-- Conventions: Spanish snake_case names; uuid keys with gen_random_uuid() (built into PostgreSQL 13+);
-- money numeric(12,2) >= 0 (amounts before taxes unless said otherwise); instants timestamptz;
-- calendar dates date; closed sets of states as text with CHECK constraints (readable in SQL,
-- in the API and in the portals; one concept, one name).
-- Extensions: pg_trgm (customer name search) and btree_gist (non-overlapping price validity), both
-- shipped with Debian's postgresql-15 (contrib) and both on Azure Database for PostgreSQL's
-- allow-list (azure.extensions must list them there). Both are trusted extensions: the database
-- owner can create them without superuser.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- ---------------------------------------------------------------------------------------------
-- Shared trigger functions
-- ---------------------------------------------------------------------------------------------

-- Keeps updated_at current on every UPDATE (the application increments version itself:
-- UPDATE ... SET ..., version = version + 1 WHERE id = @id AND version = @version).
CREATE FUNCTION tg_actualizar_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- Rejects UPDATE and DELETE on append-only tables (consentimientos, ticket_eventos,
-- eventos_sistema, movimientos_saldo). TRUNCATE stays possible for the owner (test resets).
CREATE FUNCTION tg_solo_insercion() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'La tabla % es de solo inserción: no admite %', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

-- ---------------------------------------------------------------------------------------------
-- Geography and coverage
-- ---------------------------------------------------------------------------------------------

-- Municipalities (INEGI keys), so that zonas and codigos_postales do not repeat municipio -> estado.
CREATE TABLE municipios (
    clave_inegi  char(5)     PRIMARY KEY CHECK (clave_inegi ~ '^[0-9]{5}$'),
    nombre       text        NOT NULL CHECK (btrim(nombre) <> ''),
    estado       text        NOT NULL CHECK (btrim(estado) <> ''),
    UNIQUE (estado, nombre)
);

-- A commercial zone: a part of a city served from the same network and priced together.
CREATE TABLE zonas (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    clave              text        NOT NULL UNIQUE CHECK (clave ~ '^[A-Z0-9_]{2,20}$'),
    nombre             text        NOT NULL CHECK (btrim(nombre) <> ''),
    municipio_clave    char(5)     NOT NULL REFERENCES municipios (clave_inegi),
    activa             boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_zonas_municipio ON zonas (municipio_clave);

-- Postal codes in coverage: each belongs to one zone (and one municipality).
CREATE TABLE codigos_postales (
    cp               char(5)  PRIMARY KEY CHECK (cp ~ '^[0-9]{5}$'),
    zona_id          uuid     NOT NULL REFERENCES zonas (id),
    municipio_clave  char(5)  NOT NULL REFERENCES municipios (clave_inegi)
);
CREATE INDEX ix_codigos_postales_zona ON codigos_postales (zona_id);

-- The colonias of a postal code (a multi-valued fact of the cp alone: its own table, 4NF).
CREATE TABLE codigo_postal_colonias (
    cp       char(5) NOT NULL REFERENCES codigos_postales (cp) ON DELETE CASCADE,
    colonia  text    NOT NULL CHECK (btrim(colonia) <> ''),
    PRIMARY KEY (cp, colonia)
);

CREATE TABLE tecnologias (
    clave        text PRIMARY KEY CHECK (clave ~ '^[A-Z0-9_]{2,20}$'),
    nombre       text NOT NULL CHECK (btrim(nombre) <> ''),
    descripcion  text
);

-- Which technologies each zone offers (independent of its postal codes: 4NF).
CREATE TABLE zona_tecnologias (
    zona_id           uuid NOT NULL REFERENCES zonas (id) ON DELETE CASCADE,
    tecnologia_clave  text NOT NULL REFERENCES tecnologias (clave),
    disponible_desde  date NOT NULL DEFAULT CURRENT_DATE,
    PRIMARY KEY (zona_id, tecnologia_clave)
);
CREATE INDEX ix_zona_tecnologias_tecnologia ON zona_tecnologias (tecnologia_clave);

-- ---------------------------------------------------------------------------------------------
-- Catalog: plans, prices, combos, promotions
-- ---------------------------------------------------------------------------------------------

CREATE TABLE planes (
    id                     uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    clave                  text          NOT NULL UNIQUE CHECK (clave ~ '^[A-Z0-9_-]{2,30}$'),
    nombre                 text          NOT NULL CHECK (btrim(nombre) <> ''),
    descripcion            text,
    tipo                   text          NOT NULL CHECK (tipo IN ('internet', 'tv', 'telefonia')),
    -- Required for internet; for tv/telefonia null means "over any technology of the zone".
    tecnologia_clave       text          REFERENCES tecnologias (clave),
    velocidad_bajada_mbps  integer       CHECK (velocidad_bajada_mbps > 0),
    velocidad_subida_mbps  integer       CHECK (velocidad_subida_mbps > 0),
    canales                integer       CHECK (canales > 0),
    lineas                 integer       CHECK (lineas > 0),
    activo                 boolean       NOT NULL DEFAULT true,
    -- SAT c_ClaveProdServ (8 digits) and c_ClaveUnidad (E48 = unidad de servicio).
    clave_prod_serv        char(8)       NOT NULL CHECK (clave_prod_serv ~ '^[0-9]{8}$'),
    clave_unidad           text          NOT NULL DEFAULT 'E48' CHECK (clave_unidad ~ '^[A-Z0-9]{2,3}$'),
    -- IEPS rate of the service (Ley del IEPS art. 2-I-C: 3% on telecom services; internet access
    -- is exempt, art. 8-IV-c). IVA is 16% for all and is not stored per plan.
    tasa_ieps              numeric(7,6)  NOT NULL DEFAULT 0 CHECK (tasa_ieps >= 0 AND tasa_ieps < 1),
    created_at             timestamptz   NOT NULL DEFAULT now(),
    updated_at             timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT ck_planes_internet CHECK (tipo <> 'internet' OR (tecnologia_clave IS NOT NULL
        AND velocidad_bajada_mbps IS NOT NULL AND velocidad_subida_mbps IS NOT NULL
        AND canales IS NULL AND lineas IS NULL)),
    CONSTRAINT ck_planes_tv CHECK (tipo <> 'tv' OR (canales IS NOT NULL
        AND velocidad_bajada_mbps IS NULL AND velocidad_subida_mbps IS NULL AND lineas IS NULL)),
    CONSTRAINT ck_planes_telefonia CHECK (tipo <> 'telefonia' OR (lineas IS NOT NULL
        AND velocidad_bajada_mbps IS NULL AND velocidad_subida_mbps IS NULL AND canales IS NULL))
);
CREATE INDEX ix_planes_tipo_activo ON planes (tipo, activo);
CREATE TRIGGER tr_planes_updated_at BEFORE UPDATE ON planes
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

-- Monthly price of a plan in a zone, before taxes, valid over [vigente_desde, vigente_hasta).
-- Validity periods of the same plan and zone never overlap.
CREATE TABLE precios_plan_zona (
    id              uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    plan_id         uuid           NOT NULL REFERENCES planes (id),
    zona_id         uuid           NOT NULL REFERENCES zonas (id),
    precio_mensual  numeric(12,2)  NOT NULL CHECK (precio_mensual >= 0),
    vigente_desde   date           NOT NULL,
    vigente_hasta   date,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT ck_precios_plan_zona_vigencia CHECK (vigente_hasta IS NULL OR vigente_hasta > vigente_desde),
    CONSTRAINT ex_precios_plan_zona_traslape EXCLUDE USING gist (
        plan_id WITH =, zona_id WITH =, daterange(vigente_desde, vigente_hasta, '[)') WITH &&)
);
CREATE INDEX ix_precios_plan_zona_zona ON precios_plan_zona (zona_id, plan_id, vigente_desde DESC);

CREATE TABLE combos (
    id           uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    clave        text         NOT NULL UNIQUE CHECK (clave ~ '^[A-Z0-9_-]{2,30}$'),
    nombre       text         NOT NULL CHECK (btrim(nombre) <> ''),
    descripcion  text,
    activo       boolean      NOT NULL DEFAULT true,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    updated_at   timestamptz  NOT NULL DEFAULT now()
);
CREATE TRIGGER tr_combos_updated_at BEFORE UPDATE ON combos
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

-- The parts of a combo, each with its own monthly price before taxes, so that each part is
-- billed as its own CFDI concept (IEPS only on the TV/phone parts). Combo price = sum of parts.
CREATE TABLE combo_planes (
    combo_id        uuid           NOT NULL REFERENCES combos (id) ON DELETE CASCADE,
    plan_id         uuid           NOT NULL REFERENCES planes (id),
    precio_mensual  numeric(12,2)  NOT NULL CHECK (precio_mensual >= 0),
    PRIMARY KEY (combo_id, plan_id)
);
CREATE INDEX ix_combo_planes_plan ON combo_planes (plan_id);

-- A discount on a plan or on a combo (exactly one), optionally limited to a zone, for contracts
-- signed within [vigente_desde, vigente_hasta], applied to the first `meses` monthly bills.
CREATE TABLE promociones (
    id              uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    clave           text           NOT NULL UNIQUE CHECK (clave ~ '^[A-Z0-9_-]{2,30}$'),
    nombre          text           NOT NULL CHECK (btrim(nombre) <> ''),
    descripcion     text,
    tipo_descuento  text           NOT NULL CHECK (tipo_descuento IN ('porcentaje', 'monto_fijo')),
    valor           numeric(12,2)  NOT NULL CHECK (valor > 0),
    meses           integer        NOT NULL CHECK (meses BETWEEN 1 AND 36),
    vigente_desde   date           NOT NULL,
    vigente_hasta   date           NOT NULL,
    plan_id         uuid           REFERENCES planes (id),
    combo_id        uuid           REFERENCES combos (id),
    zona_id         uuid           REFERENCES zonas (id),
    activa          boolean        NOT NULL DEFAULT true,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT ck_promociones_porcentaje CHECK (tipo_descuento <> 'porcentaje' OR valor <= 100),
    CONSTRAINT ck_promociones_vigencia CHECK (vigente_hasta >= vigente_desde),
    CONSTRAINT ck_promociones_objetivo CHECK (num_nonnulls(plan_id, combo_id) = 1)
);
CREATE INDEX ix_promociones_plan ON promociones (plan_id) WHERE plan_id IS NOT NULL;
CREATE INDEX ix_promociones_combo ON promociones (combo_id) WHERE combo_id IS NOT NULL;
CREATE INDEX ix_promociones_vigencia ON promociones (vigente_desde, vigente_hasta) WHERE activa;

-- ---------------------------------------------------------------------------------------------
-- Customers
-- ---------------------------------------------------------------------------------------------

CREATE TABLE clientes (
    id               uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    numero_cliente   bigint       GENERATED BY DEFAULT AS IDENTITY (START WITH 100001) UNIQUE,
    tipo_persona     text         NOT NULL CHECK (tipo_persona IN ('fisica', 'moral')),
    -- Name or razón social exactly as in the SAT constancia (CFDI 4.0 Receptor/Nombre).
    nombre           text         NOT NULL CHECK (btrim(nombre) <> '' AND char_length(nombre) <= 254),
    rfc              text         NOT NULL CHECK (rfc ~ '^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{2}[0-9A]$'),
    email            text         NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' AND char_length(email) <= 254),
    telefono         text         NOT NULL CHECK (telefono ~ '^\+52[2-9][0-9]{9}$'),
    -- SAT c_RegimenFiscal / c_UsoCFDI keys; compatibility between them is checked in the domain
    -- (Telecable.Domain.Identidad.DatosFiscales).
    regimen_fiscal   char(3)      NOT NULL CHECK (regimen_fiscal IN ('601', '603', '605', '606', '607',
                         '608', '610', '611', '612', '614', '615', '616', '620', '621', '622', '623', '624',
                         '625', '626')),
    uso_cfdi         text         NOT NULL CHECK (uso_cfdi IN ('G01', 'G02', 'G03', 'I01', 'I02', 'I03',
                         'I04', 'I05', 'I06', 'I07', 'I08', 'D01', 'D02', 'D03', 'D04', 'D05', 'D06', 'D07',
                         'D08', 'D09', 'D10', 'S01', 'CP01', 'CN01')),
    cp_fiscal        char(5)      NOT NULL CHECK (cp_fiscal ~ '^[0-9]{5}$'),
    -- Commercial zone the customer was signed in (contracts carry their own installation zone).
    zona_id          uuid         REFERENCES zonas (id),
    estado           text         NOT NULL DEFAULT 'activo' CHECK (estado IN ('activo', 'suspendido', 'baja')),
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    version          integer      NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- Física: 13 characters; moral: 12. The generic RFCs (13) are físicas.
    CONSTRAINT ck_clientes_rfc_tipo CHECK (
        (tipo_persona = 'fisica' AND char_length(rfc) = 13) OR (tipo_persona = 'moral' AND char_length(rfc) = 12))
);
-- One customer per RFC, except the generic RFCs (público en general / extranjeros).
CREATE UNIQUE INDEX ux_clientes_rfc ON clientes (rfc)
    WHERE rfc NOT IN ('XAXX010101000', 'XEXX010101000');
CREATE INDEX ix_clientes_nombre_trgm ON clientes USING gin (lower(nombre) gin_trgm_ops);
CREATE INDEX ix_clientes_nombre_prefijo ON clientes (lower(nombre) text_pattern_ops);
CREATE INDEX ix_clientes_email ON clientes (lower(email));
CREATE INDEX ix_clientes_telefono ON clientes (telefono);
CREATE INDEX ix_clientes_zona_estado ON clientes (zona_id, estado);
CREATE INDEX ix_clientes_estado_creado ON clientes (estado, created_at DESC);
CREATE TRIGGER tr_clientes_updated_at BEFORE UPDATE ON clientes
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

-- Addresses as the customer declared them. municipio/estado are kept as captured: a fiscal
-- address may lie outside the coverage catalog (codigos_postales), so they are not derivable.
CREATE TABLE domicilios (
    id                uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    cliente_id        uuid           NOT NULL REFERENCES clientes (id),
    tipo              text           NOT NULL CHECK (tipo IN ('instalacion', 'fiscal')),
    calle             text           NOT NULL CHECK (btrim(calle) <> ''),
    numero_exterior   text           NOT NULL CHECK (btrim(numero_exterior) <> ''),
    numero_interior   text,
    colonia           text           NOT NULL CHECK (btrim(colonia) <> ''),
    cp                char(5)        NOT NULL CHECK (cp ~ '^[0-9]{5}$'),
    municipio         text           NOT NULL CHECK (btrim(municipio) <> ''),
    estado            text           NOT NULL CHECK (btrim(estado) <> ''),
    referencias       text,
    latitud           numeric(9,6)   CHECK (latitud BETWEEN -90 AND 90),
    longitud          numeric(9,6)   CHECK (longitud BETWEEN -180 AND 180),
    activo            boolean        NOT NULL DEFAULT true,
    created_at        timestamptz    NOT NULL DEFAULT now(),
    -- Target of the composite FK that keeps contratos.domicilio_id within the same customer.
    UNIQUE (id, cliente_id)
);
CREATE INDEX ix_domicilios_cliente ON domicilios (cliente_id);
CREATE INDEX ix_domicilios_cp ON domicilios (cp);
-- At most one active fiscal address per customer.
CREATE UNIQUE INDEX ux_domicilios_fiscal_activo ON domicilios (cliente_id) WHERE tipo = 'fiscal' AND activo;

-- Privacy notice acceptance and marketing consent (LFPDPPP): append-only; the current consent
-- is the latest row of the customer. Never updated or deleted (trigger).
CREATE TABLE consentimientos (
    id                        uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    cliente_id                uuid         NOT NULL REFERENCES clientes (id),
    aviso_privacidad_version  text         NOT NULL CHECK (btrim(aviso_privacidad_version) <> ''),
    acepta_marketing          boolean      NOT NULL,
    otorgado_en               timestamptz  NOT NULL DEFAULT now(),
    ip                        inet,
    origen                    text         NOT NULL CHECK (origen IN ('portal_cliente', 'backoffice', 'telefono', 'sucursal', 'tecnico')),
    user_agent                text
);
CREATE INDEX ix_consentimientos_cliente ON consentimientos (cliente_id, otorgado_en DESC);
CREATE TRIGGER tr_consentimientos_solo_insercion BEFORE UPDATE OR DELETE ON consentimientos
    FOR EACH ROW EXECUTE FUNCTION tg_solo_insercion();

-- ---------------------------------------------------------------------------------------------
-- Contracts, technicians, routers
-- ---------------------------------------------------------------------------------------------

CREATE TABLE contratos (
    id                  uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    cliente_id          uuid           NOT NULL REFERENCES clientes (id),
    plan_id             uuid           REFERENCES planes (id),
    combo_id            uuid           REFERENCES combos (id),
    promocion_id        uuid           REFERENCES promociones (id),
    zona_id             uuid           NOT NULL REFERENCES zonas (id),
    domicilio_id        uuid           NOT NULL,
    -- Monthly price agreed at signing, before taxes and before the promotion's discount.
    precio_pactado      numeric(12,2)  NOT NULL CHECK (precio_pactado >= 0),
    fecha_inicio        date           NOT NULL,
    fecha_activacion    date,
    fecha_cancelacion   date,
    estado              text           NOT NULL DEFAULT 'pendiente_instalacion'
                                       CHECK (estado IN ('pendiente_instalacion', 'activo', 'suspendido', 'cancelado')),
    dia_corte           smallint       NOT NULL CHECK (dia_corte BETWEEN 1 AND 28),
    created_at          timestamptz    NOT NULL DEFAULT now(),
    updated_at          timestamptz    NOT NULL DEFAULT now(),
    version             integer        NOT NULL DEFAULT 1 CHECK (version >= 1),
    UNIQUE (id, cliente_id),
    CONSTRAINT fk_contratos_domicilio_del_cliente FOREIGN KEY (domicilio_id, cliente_id)
        REFERENCES domicilios (id, cliente_id),
    CONSTRAINT ck_contratos_plan_o_combo CHECK (num_nonnulls(plan_id, combo_id) = 1),
    CONSTRAINT ck_contratos_activacion CHECK (
        estado NOT IN ('activo', 'suspendido') OR fecha_activacion IS NOT NULL),
    CONSTRAINT ck_contratos_fechas CHECK (fecha_activacion IS NULL OR fecha_activacion >= fecha_inicio),
    CONSTRAINT ck_contratos_cancelacion CHECK ((estado = 'cancelado') = (fecha_cancelacion IS NOT NULL))
);
CREATE INDEX ix_contratos_cliente ON contratos (cliente_id);
CREATE INDEX ix_contratos_zona_estado ON contratos (zona_id, estado);
CREATE INDEX ix_contratos_estado_dia_corte ON contratos (estado, dia_corte);
CREATE INDEX ix_contratos_plan ON contratos (plan_id) WHERE plan_id IS NOT NULL;
CREATE INDEX ix_contratos_combo ON contratos (combo_id) WHERE combo_id IS NOT NULL;
CREATE TRIGGER tr_contratos_updated_at BEFORE UPDATE ON contratos
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

CREATE TABLE tecnicos (
    id                uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    nombre            text         NOT NULL CHECK (btrim(nombre) <> ''),
    telefono          text         NOT NULL CHECK (telefono ~ '^\+52[2-9][0-9]{9}$'),
    email             text         CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    capacidad_diaria  smallint     NOT NULL DEFAULT 4 CHECK (capacidad_diaria BETWEEN 1 AND 20),
    activo            boolean      NOT NULL DEFAULT true,
    created_at        timestamptz  NOT NULL DEFAULT now(),
    updated_at        timestamptz  NOT NULL DEFAULT now()
);
CREATE TRIGGER tr_tecnicos_updated_at BEFORE UPDATE ON tecnicos
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

CREATE TABLE tecnico_zonas (
    tecnico_id  uuid NOT NULL REFERENCES tecnicos (id) ON DELETE CASCADE,
    zona_id     uuid NOT NULL REFERENCES zonas (id),
    PRIMARY KEY (tecnico_id, zona_id)
);
CREATE INDEX ix_tecnico_zonas_zona ON tecnico_zonas (zona_id);

-- Customer premises equipment (ONT/router or cable modem). A router in stock has no contract.
CREATE TABLE routers (
    id                 uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    serial             text         NOT NULL UNIQUE CHECK (serial ~ '^[A-Z0-9-]{6,40}$'),
    modelo             text         NOT NULL CHECK (btrim(modelo) <> ''),
    tecnologia_clave   text         NOT NULL REFERENCES tecnologias (clave),
    contrato_id        uuid,
    cliente_id         uuid         REFERENCES clientes (id),
    mac                macaddr      NOT NULL UNIQUE,
    firmware           text,
    -- Hash of the device's authentication key (never the key itself), e.g. "sha256:<hex>".
    device_key_hash    text,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT fk_routers_contrato_del_cliente FOREIGN KEY (contrato_id, cliente_id)
        REFERENCES contratos (id, cliente_id),
    CONSTRAINT ck_routers_contrato_cliente CHECK (contrato_id IS NULL OR cliente_id IS NOT NULL)
);
CREATE INDEX ix_routers_contrato ON routers (contrato_id) WHERE contrato_id IS NOT NULL;
CREATE INDEX ix_routers_cliente ON routers (cliente_id) WHERE cliente_id IS NOT NULL;
CREATE TRIGGER tr_routers_updated_at BEFORE UPDATE ON routers
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

-- Latest reported state per router (upserted on every telemetry report).
CREATE TABLE router_estado (
    router_id         uuid           PRIMARY KEY REFERENCES routers (id) ON DELETE CASCADE,
    estado            text           NOT NULL CHECK (estado IN ('en_linea', 'degradado', 'fuera_de_linea', 'reiniciando')),
    reportado_en      timestamptz    NOT NULL,
    ip                inet,
    firmware          text,
    uptime_segundos   bigint         CHECK (uptime_segundos >= 0),
    -- Optical power (FTTH) or downstream power (DOCSIS), dBm; SNR in dB (DOCSIS).
    senal_dbm         numeric(6,2),
    snr_db            numeric(6,2),
    bajada_mbps       numeric(10,2)  CHECK (bajada_mbps >= 0),
    subida_mbps       numeric(10,2)  CHECK (subida_mbps >= 0),
    clientes_wifi     integer        CHECK (clientes_wifi >= 0),
    datos             jsonb          NOT NULL DEFAULT '{}'::jsonb,
    actualizado_en    timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX ix_router_estado_estado ON router_estado (estado, reportado_en);

-- Bounded history of reports: pruned by age (the application deletes rows older than its
-- retention, using ix_router_estado_historial_reportado).
CREATE TABLE router_estado_historial (
    id                bigint         GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    router_id         uuid           NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    reportado_en      timestamptz    NOT NULL,
    estado            text           NOT NULL CHECK (estado IN ('en_linea', 'degradado', 'fuera_de_linea', 'reiniciando')),
    uptime_segundos   bigint         CHECK (uptime_segundos >= 0),
    senal_dbm         numeric(6,2),
    snr_db            numeric(6,2),
    bajada_mbps       numeric(10,2)  CHECK (bajada_mbps >= 0),
    subida_mbps       numeric(10,2)  CHECK (subida_mbps >= 0),
    clientes_wifi     integer        CHECK (clientes_wifi >= 0),
    datos             jsonb          NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX ix_router_estado_historial_router_tiempo ON router_estado_historial (router_id, reportado_en DESC);
CREATE INDEX ix_router_estado_historial_reportado ON router_estado_historial (reportado_en);

-- Remote commands to a router (e.g. a reset requested by support), picked up by the device.
CREATE TABLE router_comandos (
    id              uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    router_id       uuid         NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    tipo            text         NOT NULL CHECK (tipo IN ('reiniciar', 'restablecer_fabrica', 'actualizar_firmware')),
    estado          text         NOT NULL DEFAULT 'pendiente' CHECK (estado IN ('pendiente', 'entregado', 'ejecutado', 'fallido', 'expirado')),
    solicitado_por  text         NOT NULL,
    cid             text,
    parametros      jsonb        NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    entregado_en    timestamptz,
    terminado_en    timestamptz,
    resultado       text
);
CREATE INDEX ix_router_comandos_pendientes ON router_comandos (router_id, created_at) WHERE estado IN ('pendiente', 'entregado');

-- ---------------------------------------------------------------------------------------------
-- Billing
-- ---------------------------------------------------------------------------------------------

-- Gap-free folios: allocate with
--   UPDATE series_folios SET ultimo_folio = ultimo_folio + 1 WHERE serie = @serie RETURNING ultimo_folio
-- in the same transaction that inserts the factura (the row lock serializes allocations).
CREATE TABLE series_folios (
    serie          text         PRIMARY KEY CHECK (serie ~ '^[A-Z0-9]{1,25}$'),
    descripcion    text,
    tipo_comprobante char(1)    NOT NULL DEFAULT 'I' CHECK (tipo_comprobante IN ('I', 'E', 'P', 'T', 'N')),
    ultimo_folio   bigint       NOT NULL DEFAULT 0 CHECK (ultimo_folio >= 0),
    updated_at     timestamptz  NOT NULL DEFAULT now()
);
CREATE TRIGGER tr_series_folios_updated_at BEFORE UPDATE ON series_folios
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

-- A billing run of one period (orchestrated by a durable instance).
CREATE TABLE corridas_facturacion (
    id                   uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    periodo              date           NOT NULL CHECK (extract(day FROM periodo) = 1),
    estado               text           NOT NULL DEFAULT 'pendiente' CHECK (estado IN ('pendiente', 'en_proceso',
                                        'completada', 'completada_con_errores', 'fallida', 'cancelada')),
    instance_id          text           UNIQUE,
    solicitada_por       text,
    total_contratos      integer        NOT NULL DEFAULT 0 CHECK (total_contratos >= 0),
    total_facturas       integer        NOT NULL DEFAULT 0 CHECK (total_facturas >= 0),
    total_timbradas      integer        NOT NULL DEFAULT 0 CHECK (total_timbradas >= 0),
    total_errores        integer        NOT NULL DEFAULT 0 CHECK (total_errores >= 0),
    monto_total          numeric(14,2)  NOT NULL DEFAULT 0 CHECK (monto_total >= 0),
    iniciada_en          timestamptz,
    terminada_en         timestamptz,
    created_at           timestamptz    NOT NULL DEFAULT now(),
    updated_at           timestamptz    NOT NULL DEFAULT now()
);
-- At most one live run per period.
CREATE UNIQUE INDEX ux_corridas_facturacion_periodo_viva ON corridas_facturacion (periodo)
    WHERE estado IN ('pendiente', 'en_proceso');
CREATE INDEX ix_corridas_facturacion_periodo ON corridas_facturacion (periodo DESC, created_at DESC);
CREATE TRIGGER tr_corridas_facturacion_updated_at BEFORE UPDATE ON corridas_facturacion
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

CREATE TABLE facturas (
    id                   uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Folio fiscal (TimbreFiscalDigital/@UUID): null until stamped.
    uuid                 uuid           UNIQUE,
    serie                text           NOT NULL REFERENCES series_folios (serie),
    folio                bigint         NOT NULL CHECK (folio > 0),
    cliente_id           uuid           NOT NULL REFERENCES clientes (id),
    contrato_id          uuid,
    corrida_id           uuid           REFERENCES corridas_facturacion (id),
    -- Billed month: its first day.
    periodo              date           CHECK (extract(day FROM periodo) = 1),
    moneda               char(3)        NOT NULL DEFAULT 'MXN' CHECK (moneda ~ '^[A-Z]{3}$'),
    subtotal             numeric(12,2)  NOT NULL CHECK (subtotal >= 0),
    descuento            numeric(12,2)  NOT NULL DEFAULT 0 CHECK (descuento >= 0),
    iva                  numeric(12,2)  NOT NULL DEFAULT 0 CHECK (iva >= 0),
    ieps                 numeric(12,2)  NOT NULL DEFAULT 0 CHECK (ieps >= 0),
    total                numeric(12,2)  NOT NULL CHECK (total >= 0),
    metodo_pago          char(3)        NOT NULL CHECK (metodo_pago IN ('PUE', 'PPD')),
    -- SAT c_FormaPago (01 efectivo, 03 transferencia, 04 tarjeta de crédito, 28 débito, 99 por definir...).
    forma_pago           char(2)        NOT NULL CHECK (forma_pago ~ '^[0-9]{2}$'),
    -- Receptor's UsoCFDI as stamped (snapshot; the customer may change it later).
    uso_cfdi             text           CHECK (uso_cfdi ~ '^[A-Z]{1,2}[0-9]{2}$'),
    estado               text           NOT NULL DEFAULT 'borrador'
                                        CHECK (estado IN ('borrador', 'sellada', 'timbrada', 'error', 'cancelada', 'pagada')),
    xml_blob             text,
    pdf_blob             text,
    error_codigo         text,
    error_mensaje        text,
    fecha_emision        timestamptz,
    fecha_vencimiento    date,
    timbrada_en          timestamptz,
    cancelada_en         timestamptz,
    motivo_cancelacion   char(2)        CHECK (motivo_cancelacion IN ('01', '02', '03', '04')),
    folio_sustitucion    uuid,
    created_at           timestamptz    NOT NULL DEFAULT now(),
    updated_at           timestamptz    NOT NULL DEFAULT now(),
    version              integer        NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT uq_facturas_serie_folio UNIQUE (serie, folio),
    CONSTRAINT fk_facturas_contrato_del_cliente FOREIGN KEY (contrato_id, cliente_id)
        REFERENCES contratos (id, cliente_id),
    -- CFDI: Total = SubTotal - Descuento + impuestos trasladados (no retentions here).
    CONSTRAINT ck_facturas_total CHECK (total = subtotal - descuento + iva + ieps),
    CONSTRAINT ck_facturas_descuento CHECK (descuento <= subtotal),
    CONSTRAINT ck_facturas_ppd_forma_99 CHECK (metodo_pago <> 'PPD' OR forma_pago = '99'),
    CONSTRAINT ck_facturas_timbre CHECK (estado NOT IN ('timbrada', 'pagada') OR uuid IS NOT NULL),
    CONSTRAINT ck_facturas_cancelacion CHECK (estado <> 'cancelada' OR (cancelada_en IS NOT NULL AND motivo_cancelacion IS NOT NULL)),
    CONSTRAINT ck_facturas_sustitucion CHECK (motivo_cancelacion IS DISTINCT FROM '01' OR folio_sustitucion IS NOT NULL)
);
-- One live invoice per contract and period: billing runs are idempotent.
CREATE UNIQUE INDEX ux_facturas_contrato_periodo ON facturas (contrato_id, periodo)
    WHERE contrato_id IS NOT NULL AND periodo IS NOT NULL AND estado <> 'cancelada';
CREATE INDEX ix_facturas_cliente_fecha ON facturas (cliente_id, fecha_emision DESC);
CREATE INDEX ix_facturas_estado_fecha ON facturas (estado, fecha_emision DESC);
CREATE INDEX ix_facturas_fecha_emision ON facturas (fecha_emision DESC);
CREATE INDEX ix_facturas_corrida_estado ON facturas (corrida_id, estado) WHERE corrida_id IS NOT NULL;
CREATE INDEX ix_facturas_pendientes_vencimiento ON facturas (fecha_vencimiento) WHERE estado = 'timbrada';
CREATE TRIGGER tr_facturas_updated_at BEFORE UPDATE ON facturas
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

CREATE TABLE factura_conceptos (
    factura_id        uuid           NOT NULL REFERENCES facturas (id) ON DELETE CASCADE,
    numero_linea      smallint       NOT NULL CHECK (numero_linea >= 1),
    plan_id           uuid           REFERENCES planes (id),
    clave_prod_serv   char(8)        NOT NULL CHECK (clave_prod_serv ~ '^[0-9]{8}$'),
    no_identificacion text,
    clave_unidad      text           NOT NULL DEFAULT 'E48',
    unidad            text,
    descripcion       text           NOT NULL CHECK (btrim(descripcion) <> ''),
    cantidad          numeric(12,6)  NOT NULL CHECK (cantidad > 0),
    valor_unitario    numeric(12,2)  NOT NULL CHECK (valor_unitario >= 0),
    importe           numeric(12,2)  NOT NULL CHECK (importe >= 0),
    descuento         numeric(12,2)  NOT NULL DEFAULT 0 CHECK (descuento >= 0 AND descuento <= importe),
    -- SAT c_ObjetoImp: 01 no objeto, 02 sí objeto.
    objeto_imp        char(2)        NOT NULL DEFAULT '02' CHECK (objeto_imp IN ('01', '02', '03', '04')),
    tasa_iva          numeric(7,6)   NOT NULL DEFAULT 0.160000 CHECK (tasa_iva >= 0 AND tasa_iva < 1),
    iva               numeric(12,2)  NOT NULL DEFAULT 0 CHECK (iva >= 0),
    tasa_ieps         numeric(7,6)   NOT NULL DEFAULT 0 CHECK (tasa_ieps >= 0 AND tasa_ieps < 1),
    ieps              numeric(12,2)  NOT NULL DEFAULT 0 CHECK (ieps >= 0),
    PRIMARY KEY (factura_id, numero_linea)
);
CREATE INDEX ix_factura_conceptos_plan ON factura_conceptos (plan_id) WHERE plan_id IS NOT NULL;

-- ---------------------------------------------------------------------------------------------
-- Payments and credit balance
-- ---------------------------------------------------------------------------------------------

CREATE TABLE pagos (
    id                  uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    cliente_id          uuid           NOT NULL REFERENCES clientes (id),
    monto               numeric(12,2)  NOT NULL CHECK (monto > 0),
    moneda              char(3)        NOT NULL DEFAULT 'MXN' CHECK (moneda ~ '^[A-Z]{3}$'),
    metodo              text           NOT NULL CHECK (metodo IN ('efectivo', 'tarjeta', 'spei', 'oxxo')),
    referencia          text,
    gateway             text,
    -- The payment gateway's event id: deduplicates webhook deliveries.
    gateway_evento_id   text           UNIQUE,
    estado              text           NOT NULL DEFAULT 'pendiente'
                                       CHECK (estado IN ('pendiente', 'confirmado', 'aplicado', 'rechazado', 'reembolsado')),
    recibido_en         timestamptz    NOT NULL DEFAULT now(),
    aplicado_en         timestamptz,
    cid                 text,
    created_at          timestamptz    NOT NULL DEFAULT now(),
    updated_at          timestamptz    NOT NULL DEFAULT now(),
    version             integer        NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT ck_pagos_aplicado CHECK (estado <> 'aplicado' OR aplicado_en IS NOT NULL)
);
CREATE INDEX ix_pagos_cliente ON pagos (cliente_id, recibido_en DESC);
CREATE INDEX ix_pagos_estado ON pagos (estado, recibido_en) WHERE estado IN ('pendiente', 'confirmado');
CREATE INDEX ix_pagos_referencia ON pagos (referencia) WHERE referencia IS NOT NULL;
CREATE TRIGGER tr_pagos_updated_at BEFORE UPDATE ON pagos
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

CREATE TABLE pago_aplicaciones (
    id           uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    pago_id      uuid           NOT NULL REFERENCES pagos (id),
    factura_id   uuid           NOT NULL REFERENCES facturas (id),
    monto        numeric(12,2)  NOT NULL CHECK (monto > 0),
    aplicado_en  timestamptz    NOT NULL DEFAULT now(),
    UNIQUE (pago_id, factura_id)
);
CREATE INDEX ix_pago_aplicaciones_factura ON pago_aplicaciones (factura_id);

-- Safety net: what is applied never exceeds the payment nor the invoice total. (The application
-- locks the payment row, SELECT ... FOR UPDATE, before applying it.)
CREATE FUNCTION tg_pago_aplicaciones_limites() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    aplicado_pago    numeric(14,2);
    aplicado_factura numeric(14,2);
BEGIN
    SELECT coalesce(sum(monto), 0) INTO aplicado_pago FROM pago_aplicaciones WHERE pago_id = NEW.pago_id;
    IF aplicado_pago > (SELECT monto FROM pagos WHERE id = NEW.pago_id) THEN
        RAISE EXCEPTION 'Lo aplicado del pago % (%) excede su monto', NEW.pago_id, aplicado_pago
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT coalesce(sum(monto), 0) INTO aplicado_factura FROM pago_aplicaciones WHERE factura_id = NEW.factura_id;
    IF aplicado_factura > (SELECT total FROM facturas WHERE id = NEW.factura_id) THEN
        RAISE EXCEPTION 'Lo aplicado a la factura % (%) excede su total', NEW.factura_id, aplicado_factura
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER tr_pago_aplicaciones_limites AFTER INSERT OR UPDATE ON pago_aplicaciones
    FOR EACH ROW EXECUTE FUNCTION tg_pago_aplicaciones_limites();

-- Credit ledger (saldo a favor): append-only movements; balance = abonos - cargos.
-- An overpayment credits ('abono' with pago_id); using credit on an invoice debits ('cargo' with factura_id).
CREATE TABLE movimientos_saldo (
    id           uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    cliente_id   uuid           NOT NULL REFERENCES clientes (id),
    tipo         text           NOT NULL CHECK (tipo IN ('abono', 'cargo')),
    monto        numeric(12,2)  NOT NULL CHECK (monto > 0),
    pago_id      uuid           REFERENCES pagos (id),
    factura_id   uuid           REFERENCES facturas (id),
    concepto     text           NOT NULL CHECK (btrim(concepto) <> ''),
    actor        text,
    created_at   timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX ix_movimientos_saldo_cliente ON movimientos_saldo (cliente_id, created_at DESC);
-- One credit per payment (retries of the same overpayment are no-ops).
CREATE UNIQUE INDEX ux_movimientos_saldo_abono_pago ON movimientos_saldo (pago_id) WHERE tipo = 'abono' AND pago_id IS NOT NULL;
CREATE TRIGGER tr_movimientos_saldo_solo_insercion BEFORE UPDATE OR DELETE ON movimientos_saldo
    FOR EACH ROW EXECUTE FUNCTION tg_solo_insercion();

CREATE VIEW saldos_a_favor AS
SELECT cliente_id,
       sum(CASE tipo WHEN 'abono' THEN monto ELSE -monto END)::numeric(12,2) AS saldo,
       max(created_at) AS ultimo_movimiento_en
FROM movimientos_saldo
GROUP BY cliente_id;

-- ---------------------------------------------------------------------------------------------
-- Field service: tickets
-- ---------------------------------------------------------------------------------------------

CREATE TABLE tickets (
    id                 uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    numero             bigint       GENERATED BY DEFAULT AS IDENTITY (START WITH 1001) UNIQUE,
    tipo               text         NOT NULL CHECK (tipo IN ('instalacion', 'soporte')),
    cliente_id         uuid         NOT NULL REFERENCES clientes (id),
    contrato_id        uuid,
    tecnico_id         uuid         REFERENCES tecnicos (id),
    estado             text         NOT NULL DEFAULT 'abierto' CHECK (estado IN ('abierto', 'asignado',
                                    'en_camino', 'en_sitio', 'instalado', 'cerrado', 'cancelado')),
    prioridad          text         NOT NULL DEFAULT 'media' CHECK (prioridad IN ('baja', 'media', 'alta', 'urgente')),
    fecha_programada   date,
    franja_horaria     text         CHECK (franja_horaria IN ('matutina', 'vespertina')),
    descripcion        text         NOT NULL CHECK (btrim(descripcion) <> ''),
    cerrado_en         timestamptz,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now(),
    version            integer      NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT fk_tickets_contrato_del_cliente FOREIGN KEY (contrato_id, cliente_id)
        REFERENCES contratos (id, cliente_id),
    CONSTRAINT ck_tickets_tecnico CHECK (
        estado NOT IN ('asignado', 'en_camino', 'en_sitio', 'instalado') OR tecnico_id IS NOT NULL),
    CONSTRAINT ck_tickets_instalado CHECK (estado <> 'instalado' OR tipo = 'instalacion'),
    CONSTRAINT ck_tickets_instalacion_contrato CHECK (tipo <> 'instalacion' OR contrato_id IS NOT NULL),
    CONSTRAINT ck_tickets_cierre CHECK (estado NOT IN ('cerrado', 'cancelado') OR cerrado_en IS NOT NULL)
);
CREATE INDEX ix_tickets_tecnico_fecha_estado ON tickets (tecnico_id, fecha_programada, estado);
CREATE INDEX ix_tickets_estado_fecha ON tickets (estado, fecha_programada);
CREATE INDEX ix_tickets_cliente ON tickets (cliente_id, created_at DESC);
CREATE INDEX ix_tickets_contrato ON tickets (contrato_id) WHERE contrato_id IS NOT NULL;
CREATE TRIGGER tr_tickets_updated_at BEFORE UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

-- Progress notes and state changes of a ticket: append-only.
CREATE TABLE ticket_eventos (
    id               uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_id        uuid         NOT NULL REFERENCES tickets (id),
    estado_anterior  text,
    estado_nuevo     text         CHECK (estado_nuevo IN ('abierto', 'asignado', 'en_camino', 'en_sitio',
                                  'instalado', 'cerrado', 'cancelado')),
    nota             text,
    actor            text         NOT NULL,
    cid              text,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT ck_ticket_eventos_contenido CHECK (estado_nuevo IS NOT NULL OR nota IS NOT NULL)
);
CREATE INDEX ix_ticket_eventos_ticket ON ticket_eventos (ticket_id, created_at);
CREATE TRIGGER tr_ticket_eventos_solo_insercion BEFORE UPDATE OR DELETE ON ticket_eventos
    FOR EACH ROW EXECUTE FUNCTION tg_solo_insercion();

CREATE TABLE ticket_feedback (
    ticket_id     uuid         PRIMARY KEY REFERENCES tickets (id),
    calificacion  smallint     NOT NULL CHECK (calificacion BETWEEN 1 AND 5),
    comentario    text         CHECK (char_length(comentario) <= 2000),
    created_at    timestamptz  NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------
-- Audit, content, notifications
-- ---------------------------------------------------------------------------------------------

-- Audit log of domain actions: append-only.
CREATE TABLE eventos_sistema (
    id          bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tipo        text         NOT NULL CHECK (btrim(tipo) <> ''),
    entidad     text         NOT NULL CHECK (btrim(entidad) <> ''),
    entidad_id  text         NOT NULL,
    actor       text         NOT NULL,
    cid         text,
    payload     jsonb        NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX ix_eventos_sistema_entidad ON eventos_sistema (entidad, entidad_id, created_at DESC);
CREATE INDEX ix_eventos_sistema_tipo ON eventos_sistema (tipo, created_at DESC);
CREATE INDEX ix_eventos_sistema_cid ON eventos_sistema (cid) WHERE cid IS NOT NULL;
CREATE INDEX ix_eventos_sistema_creado ON eventos_sistema (created_at DESC);
CREATE TRIGGER tr_eventos_sistema_solo_insercion BEFORE UPDATE OR DELETE ON eventos_sistema
    FOR EACH ROW EXECUTE FUNCTION tg_solo_insercion();

CREATE TABLE faq (
    id          uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    categoria   text         NOT NULL CHECK (btrim(categoria) <> ''),
    pregunta    text         NOT NULL UNIQUE CHECK (btrim(pregunta) <> ''),
    respuesta   text         NOT NULL CHECK (btrim(respuesta) <> ''),
    orden       integer      NOT NULL DEFAULT 0,
    activa      boolean      NOT NULL DEFAULT true,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX ix_faq_categoria_orden ON faq (categoria, orden) WHERE activa;
CREATE TRIGGER tr_faq_updated_at BEFORE UPDATE ON faq
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

CREATE TABLE notificaciones (
    id          uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    cliente_id  uuid         REFERENCES clientes (id),
    canal       text         NOT NULL CHECK (canal IN ('email', 'sms', 'whatsapp', 'push')),
    destino     text         NOT NULL CHECK (btrim(destino) <> ''),
    plantilla   text         NOT NULL CHECK (btrim(plantilla) <> ''),
    asunto      text,
    cuerpo      text         NOT NULL,
    estado      text         NOT NULL DEFAULT 'pendiente' CHECK (estado IN ('pendiente', 'enviada', 'fallida', 'descartada')),
    intentos    integer      NOT NULL DEFAULT 0 CHECK (intentos >= 0),
    error       text,
    cid         text,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    enviada_en  timestamptz,
    CONSTRAINT ck_notificaciones_enviada CHECK (estado <> 'enviada' OR enviada_en IS NOT NULL)
);
CREATE INDEX ix_notificaciones_pendientes ON notificaciones (created_at) WHERE estado = 'pendiente';
CREATE INDEX ix_notificaciones_cliente ON notificaciones (cliente_id, created_at DESC) WHERE cliente_id IS NOT NULL;
