-- SPEI references (issue 19): each customer gets its own CLABE under the ISP's collection account, so a
-- transfer names who paid. Issued once (on first read), from this sequence; never reused or changed.
CREATE SEQUENCE clabe_secuencia AS bigint MINVALUE 1;
ALTER TABLE clientes ADD COLUMN clabe text UNIQUE CHECK (clabe ~ '^[0-9]{18}$');
