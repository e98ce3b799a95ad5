using System.Net.Http.Headers;
using System.Text;
using Dapper;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.Domain.Pagos;
using Telecable.IntegrationTests.Infraestructura;
using Telecable.Orchestrations.ProcesarPago;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>The local host with the payment settings: two webhook secrets (rotation) and the SAT test CSD.</summary>
public class HostPagos : HostPrueba
{
    public const string SecretoActual = "whsec_actual_de_pruebas_0123456789";
    public const string SecretoAnterior = "whsec_anterior_de_pruebas_9876543210";
    public const string SecretoSpei = "spei_de_pruebas_4242424242";
    public const string SecretoOxxo = "oxxo_de_pruebas_7373737373";
    public const string SecretoOxxoAnterior = "oxxo_anterior_de_pruebas_1111111111";

    protected virtual string? FallarPaso => null;

    /// <summary>The emulated PAC's folder: its SAT certificate's .cer lands in tfdcerts/, for verify.sh.</summary>
    public string CarpetaPac { get; } = Directory.CreateTempSubdirectory("telecable-pac-pagos-").FullName;

    protected override IDictionary<string, string?> Ajustes
    {
        get
        {
            var a = new Dictionary<string, string?>
            {
                ["Webhooks:Pagos:Secretos:0"] = SecretoActual,
                ["Webhooks:Pagos:Secretos:1"] = SecretoAnterior,
                ["Pac:Carpeta"] = CarpetaPac,
                ["Webhooks:Spei:Secretos:0"] = SecretoSpei,
                ["Webhooks:Oxxo:Secretos:0"] = SecretoOxxo,
                ["Webhooks:Oxxo:Secretos:1"] = SecretoOxxoAnterior,
            };
            if (FallarPaso is not null) (a["Pruebas:InyectarFallas"], a["Pagos:FallarPaso"]) = ("true", FallarPaso);
            return a;
        }
    }

    /// <summary>Posts a body to the emulated gateway's webhook with the given Stripe-Signature (none when null).</summary>
    public Task<HttpResponseMessage> WebhookAsync(string cuerpo, string? firma)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "api/pagos/webhooks/emulada") { Content = new StringContent(cuerpo, Encoding.UTF8, "application/json") };
        if (firma is not null) req.Headers.TryAddWithoutValidation(FirmaStripe.Encabezado, firma);
        return Http.SendAsync(req);
    }

    public static string Firmar(string cuerpo, string secreto = SecretoActual, long? t = null) =>
        FirmaStripe.Generar(Encoding.UTF8.GetBytes(cuerpo), t ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(), secreto);

    /// <summary>Waits for the payment's ProcesarPago instance to finish and returns its output.</summary>
    public async Task<OrchestrationMetadata> EsperarProcesoAsync(Guid pagoId)
    {
        var durable = Servicios.GetRequiredService<DurableTaskClient>();
        // Generous: the shared 2-core machine can be loaded far beyond its cores by parallel builds.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var instancia = ProcesarPago.InstanciaPara(pagoId);
        while (await durable.GetInstanceAsync(instancia, false, cts.Token) is null) await Task.Delay(50, cts.Token);
        try
        {
            return await durable.WaitForInstanceCompletionAsync(instancia, getInputsAndOutputs: true, cts.Token);
        }
        catch (OperationCanceledException)
        {
            var m = await durable.GetInstanceAsync(instancia, true);
            throw new TimeoutException($"ProcesarPago {instancia} no terminó: {m?.RuntimeStatus} {m?.SerializedCustomStatus} {m?.FailureDetails?.ErrorMessage}");
        }
    }


    /// <summary>Runs SAT's verify.sh (schema, cadena stylesheet, sello, SelloSAT) over the given stamped XMLs.</summary>
    public async Task<(int Codigo, string Salida)> VerificarSatAsync(IEnumerable<string> xmls)
    {
        var carpeta = Directory.CreateTempSubdirectory("telecable-verifica-pagos-").FullName;
        var i = 0;
        foreach (var x in xmls) await File.WriteAllTextAsync(Path.Combine(carpeta, $"{i++:D2}.xml"), x, new UTF8Encoding(false));
        var inicio = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        inicio.ArgumentList.Add(Path.Combine(Telecable.Pruebas.Servicios.DirectorioSat, "verify.sh"));
        inicio.ArgumentList.Add(carpeta);
        inicio.Environment["TFDCERTS"] = Path.Combine(CarpetaPac, "tfdcerts");
        using var p = System.Diagnostics.Process.Start(inicio)!;
        var salida = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Directory.Delete(carpeta, recursive: true);
        return (p.ExitCode, await salida + await error);
    }

    public async Task<List<T>> ConsultarAsync<T>(string sql, object? p = null)
    {
        await using var cn = new NpgsqlConnection(ConnectionString);
        return (await cn.QueryAsync<T>(sql, p)).ToList();
    }
}

[CollectionDefinition(Nombre)]
public sealed class ColeccionPagos : ICollectionFixture<HostPagos>
{
    public const string Nombre = "pagos";
}

/// <summary>Customers, invoices and contracts inserted directly with SQL (the billing and customer
/// services live on other branches): what the payment tests need and nothing more.</summary>
public static class DatosPagos
{
    private static long _folio = 900_000_000 + Random.Shared.Next(0, 1_000_000) * 100L;

    public static async Task<Guid> ClienteAsync(HostPrueba host)
    {
        const string letras = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var r = Random.Shared;
        // A real date in the RFC: every complement these customers get passes SAT's schema (t_RFC's pattern) in the checks.
        var rfc = new string(Enumerable.Range(0, 4).Select(_ => letras[r.Next(26)]).ToArray())
                  + new DateOnly(1950, 1, 1).AddDays(r.Next(0, 20000)).ToString("yyMMdd", System.Globalization.CultureInfo.InvariantCulture) + "AB" + r.Next(0, 10);
        return await host.EscalarAsync<Guid>("""
            INSERT INTO clientes (tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal)
            VALUES ('fisica', 'CLIENTE DE PRUEBA PAGOS', @rfc, 'pagos.prueba@example.com', '+528112345678', '612', 'G03', '64349')
            RETURNING id
            """, new { rfc });
    }

    /// <summary>A stamped invoice (uuid set) for the total, IVA 16 % included; PPD uses forma de pago 99.</summary>
    public static Task<Guid> FacturaAsync(HostPrueba host, Guid clienteId, decimal total, string metodo = "PUE", int diasParaVencer = 10, string estado = "timbrada")
    {
        var subtotal = decimal.Round(total / 1.16m, 2);
        return host.EscalarAsync<Guid>("""
            INSERT INTO facturas (uuid, serie, folio, cliente_id, subtotal, iva, total, metodo_pago, forma_pago, uso_cfdi, estado,
                                  fecha_emision, fecha_vencimiento, timbrada_en, cancelada_en, motivo_cancelacion)
            VALUES (gen_random_uuid(), 'A', @folio, @clienteId, @subtotal, @iva, @total, @metodo, @forma, 'G03', @estado,
                    now(), current_date + @dias, now(),
                    CASE WHEN @estado = 'cancelada' THEN now() END, CASE WHEN @estado = 'cancelada' THEN '02' END)
            RETURNING id
            """, new { folio = Interlocked.Increment(ref _folio), clienteId, subtotal, iva = total - subtotal, total, metodo,
                forma = metodo == "PPD" ? "99" : "03", estado, dias = diasParaVencer });
    }

    public const string NombreFacturado = "NOMBRE COMO SE FACTURO";

    /// <summary>TV 150.00 + IEPS 3 % 4.50 and internet 410.00, IVA 16 % over 564.50 = 90.32: total 654.82. The
    /// receptor printed on it differs from the customer's current record (renamed since).</summary>
    public static async Task<(Guid Cliente, Guid Factura, long Folio)> FacturaConIepsAsync(HostPrueba host)
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var folio = 800_000_000L + Random.Shared.Next(0, 100_000_000);
        var factura = await host.EscalarAsync<Guid>("""
            INSERT INTO facturas (uuid, serie, folio, cliente_id, subtotal, iva, ieps, total, metodo_pago, forma_pago, uso_cfdi, estado,
                                  fecha_emision, fecha_vencimiento, timbrada_en, receptor_rfc, receptor_nombre, receptor_regimen, receptor_cp)
            SELECT gen_random_uuid(), 'A', @folio, c.id, 560.00, 90.32, 4.50, 654.82, 'PPD', '99', 'G03', 'timbrada',
                   now(), current_date + 10, now(), 'XOJI740919U48', @nombre, '612', '64349'
            FROM clientes c WHERE c.id = @cliente
            RETURNING id
            """, new { folio, cliente, nombre = NombreFacturado });
        await host.EscalarAsync<int>("""
            INSERT INTO factura_conceptos (factura_id, numero_linea, clave_prod_serv, descripcion, cantidad, valor_unitario, importe, tasa_iva, iva, tasa_ieps, ieps)
            VALUES (@factura, 1, '83121703', 'TV Básica', 1, 150.00, 150.00, 0.16, 24.72, 0.03, 4.50),
                   (@factura, 2, '81112101', 'Internet 100 Mbps', 1, 410.00, 410.00, 0.16, 65.60, 0, 0);
            UPDATE clientes SET nombre = 'NOMBRE NUEVO DEL CLIENTE' WHERE id = @cliente;
            SELECT 1
            """, new { factura, cliente });
        return (cliente, factura, folio);
    }

    public static async Task<Guid> ContratoSuspendidoAsync(HostPrueba host, Guid clienteId)
    {
        var domicilio = await host.EscalarAsync<Guid>("""
            INSERT INTO domicilios (cliente_id, tipo, calle, numero_exterior, colonia, cp, municipio, estado)
            VALUES (@clienteId, 'instalacion', 'Calle de Prueba', '1', 'Centro', '64000', 'Monterrey', 'Nuevo León') RETURNING id
            """, new { clienteId });
        return await host.EscalarAsync<Guid>("""
            INSERT INTO contratos (cliente_id, plan_id, zona_id, domicilio_id, precio_pactado, fecha_inicio, fecha_activacion, estado, dia_corte)
            VALUES (@clienteId, (SELECT id FROM planes ORDER BY id LIMIT 1), (SELECT id FROM zonas ORDER BY id LIMIT 1), @domicilio,
                    399, current_date - 90, current_date - 90, 'suspendido', 5)
            RETURNING id
            """, new { clienteId, domicilio });
    }

    public static HttpRequestMessage PostPago(object cuerpo, string? clave = null)
    {
        var r = new HttpRequestMessage(HttpMethod.Post, "api/pagos")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(cuerpo), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (clave is not null) r.Headers.Add("Idempotency-Key", clave);
        return r;
    }
}
