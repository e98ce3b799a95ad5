-- Support desk (issue 21): support and outage tickets go abierto -> asignado -> en_atencion -> resuelto -> cerrado,
-- can be reopened and cancelled, are assigned to a support agent (the staff account's user name) or a technician,
-- and their notes are either messages to the customer or internal. Outage tickets the detector opens are 'falla'.

ALTER TABLE tickets DROP CONSTRAINT tickets_tipo_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_tipo_check CHECK (tipo IN ('instalacion', 'soporte', 'falla'));

ALTER TABLE tickets DROP CONSTRAINT tickets_estado_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_estado_check CHECK (estado IN ('abierto', 'asignado', 'en_camino', 'en_sitio',
    'instalado', 'en_atencion', 'resuelto', 'cerrado', 'cancelado'));
ALTER TABLE ticket_eventos DROP CONSTRAINT ticket_eventos_estado_nuevo_check;
ALTER TABLE ticket_eventos ADD CONSTRAINT ticket_eventos_estado_nuevo_check CHECK (estado_nuevo IN ('abierto', 'asignado', 'en_camino',
    'en_sitio', 'instalado', 'en_atencion', 'resuelto', 'cerrado', 'cancelado'));

-- The support agent in charge (user name of a staff account or demo user); a technician stays in tecnico_id.
ALTER TABLE tickets ADD COLUMN agente text CHECK (agente IS NULL OR btrim(agente) <> '');
ALTER TABLE tickets ADD COLUMN resuelto_en timestamptz;

-- An assigned ticket has someone: a technician or an agent. Field states still need the technician.
ALTER TABLE tickets DROP CONSTRAINT ck_tickets_tecnico;
ALTER TABLE tickets ADD CONSTRAINT ck_tickets_tecnico CHECK (estado NOT IN ('en_camino', 'en_sitio', 'instalado') OR tecnico_id IS NOT NULL);
ALTER TABLE tickets ADD CONSTRAINT ck_tickets_asignado CHECK (estado NOT IN ('asignado', 'en_atencion') OR tecnico_id IS NOT NULL OR agente IS NOT NULL);
ALTER TABLE tickets ADD CONSTRAINT ck_tickets_resuelto CHECK (estado <> 'resuelto' OR resuelto_en IS NOT NULL);

CREATE INDEX ix_tickets_agente_estado ON tickets (agente, estado) WHERE agente IS NOT NULL;

-- Internal notes are for staff and technicians only; the customer sees the rest.
ALTER TABLE ticket_eventos ADD COLUMN interna boolean NOT NULL DEFAULT false;

-- Outage tickets already opened by the detector as soporte are outages.
UPDATE tickets SET tipo = 'falla' WHERE tipo = 'soporte' AND descripcion LIKE '%(detectado automáticamente).';
