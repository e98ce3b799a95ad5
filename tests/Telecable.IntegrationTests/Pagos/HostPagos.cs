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

    protected virtual string? FallarPaso => null;

    protected override IDictionary<string, string?> Ajustes
    {
        get
        {
            var a = new Dictionary<string, string?>
            {
                ["Webhooks:Pagos:Secretos:0"] = SecretoActual,
                ["Webhooks:Pagos:Secretos:1"] = SecretoAnterior,
                ["Webhooks:Spei:Secretos:0"] = SecretoSpei,
            };
            if (FallarPaso is not null) a["Pagos:FallarPaso"] = FallarPaso;
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
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a bound for a loaded 2-core machine, not a speed check
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
        var rfc = new string(Enumerable.Range(0, 4).Select(_ => letras[r.Next(26)]).ToArray()) + $"{r.Next(0, 1_000_000):D6}" + "AB" + r.Next(0, 10);
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
