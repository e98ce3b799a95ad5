-- The emulated PAC's stamped XML (about 6 KB each, recorded once per CFDI in a billing run) is stored out of line
-- without compression: pglz was a tenth of PostgreSQL's CPU during a run, for a table read only on a resend.
ALTER TABLE pac_emulado_timbres ALTER COLUMN xml SET STORAGE EXTERNAL;
