-- Issue 24: a burst of confirmed payments is processed in batches (one ProcesarPagosLote orchestration per batch, the
-- IniciarPagosConfirmados timer starts them). The batch's instance id is kept on each of its payments, so a reversal
-- waits for the batch that holds its payment as it waits for the payment's own ProcesarPago instance.
ALTER TABLE pagos ADD COLUMN saga_instancia text;
