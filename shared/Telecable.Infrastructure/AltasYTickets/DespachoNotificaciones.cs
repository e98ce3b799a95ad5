using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Telecable.Application.Observabilidad;

namespace Telecable.Infrastructure.AltasYTickets;

/// <summary>Delivery of pending notifications (section "Notificaciones").</summary>
public sealed class OpcionesNotificaciones
{
    public const string Seccion = "Notificaciones";

    /// <summary>Run the dispatcher (true); a test host that fingerprints the database turns it off.</summary>
    public bool Despachar { get; set; } = true;

    /// <summary>Attempts before a notification is dead-lettered (estado fallida, with the last error).</summary>
    public int MaxIntentos { get; set; } = 5;
    /// <summary>Wait after the first failure; it doubles on each one, up to an hour.</summary>
    public int EsperaBaseSegundos { get; set; } = 30;
    public int TamanoLote { get; set; } = 100;
    /// <summary>How long an attempt in flight holds its notifications against other hosts.</summary>
    public int ReservaSegundos { get; set; } = 60;
    /// <summary>Emulated channels only: share of deliveries that fail (0 in the demo; tests raise it).</summary>
    public double TasaFallaSimulada { get; set; }
}

/// <summary>A messaging provider for one channel (WhatsApp Business, an e-mail service). Throwing is a failed
/// delivery, retried later.</summary>
public interface IProveedorMensajeria
{
    string Canal { get; }

    Task EntregarAsync(Notificacion n, CancellationToken ct);
}

/// <summary>The emulated WhatsApp and e-mail providers: delivering is accepting the message (the mailbox endpoints list
/// what was delivered); <see cref="OpcionesNotificaciones.TasaFallaSimulada"/> makes some deliveries fail.</summary>
public sealed class ProveedorMensajeriaSimulado(string canal, IOptions<OpcionesNotificaciones> opciones) : IProveedorMensajeria
{
    public string Canal => canal;

    public Task EntregarAsync(Notificacion n, CancellationToken ct) =>
        Random.Shared.NextDouble() < opciones.Value.TasaFallaSimulada
            ? Task.FromException(new HttpRequestException($"El proveedor {canal} simulado rechazó el mensaje (falla inducida)."))
            : Task.CompletedTask;
}

public sealed record ResultadoDespacho(int Entregadas, int Reintentos, int Fallidas);

/// <summary>
/// Delivers pending notifications through their channel's provider, at least once: a batch is claimed (its next
/// attempt moved past the claim, SKIP LOCKED so hosts take different rows), delivered outside any transaction, and
/// each outcome recorded: enviada; or a retry with backoff; or, after MaxIntentos, fallida (the dead letter, with
/// the error). A channel without a provider dead-letters at once rather than wait forever.
/// </summary>
public sealed class DespachadorNotificaciones(NpgsqlDataSource db, IEnumerable<IProveedorMensajeria> proveedores,
    IOptions<OpcionesNotificaciones> opciones, TimeProvider reloj, ILogger<DespachadorNotificaciones> log)
{
    private static readonly Counter<long> Despachadas = Telemetria.Medidor.CreateCounter<long>(
        "telecable.notificaciones.despachadas", "{notificacion}", "Delivery attempts of pending notifications, by channel and outcome");

    private readonly Dictionary<string, IProveedorMensajeria> _proveedores = proveedores.ToDictionary(p => p.Canal);

    public async Task<ResultadoDespacho> DespacharAsync(CancellationToken ct)
    {
        var o = opciones.Value;
        int entregadas = 0, reintentos = 0, fallidas = 0;
        if (!o.Despachar) return new ResultadoDespacho(0, 0, 0);
        IReadOnlyList<Notificacion> lote;
        while ((lote = await ReservarAsync(o, ct)).Count > 0)
        {
            foreach (var n in lote)
            {
                var error = await EntregarAsync(n, ct);
                var resultado = await RegistrarAsync(n, error, o, ct);
                Despachadas.Add(1, new("canal", n.Canal), new("resultado", resultado));
                switch (resultado)
                {
                    case "enviada": entregadas++; break;
                    case "fallida": fallidas++; log.LogError("Notificación {Id} ({Canal}, {Plantilla}) sin entregar tras {Intentos} intentos: {Error}", n.Id, n.Canal, n.Plantilla, n.Intentos + 1, error); break;
                    default: reintentos++; break;
                }
            }
            if (lote.Count < o.TamanoLote) break;
        }
        return new ResultadoDespacho(entregadas, reintentos, fallidas);
    }

    private async Task<IReadOnlyList<Notificacion>> ReservarAsync(OpcionesNotificaciones o, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var ahora = reloj.GetUtcNow();
        return (await cn.QueryAsync<Notificacion>(new CommandDefinition("""
            UPDATE notificaciones n SET proximo_intento = @reserva
            FROM (SELECT id FROM notificaciones WHERE estado = 'pendiente' AND proximo_intento <= @ahora
                  ORDER BY proximo_intento LIMIT @TamanoLote FOR UPDATE SKIP LOCKED) x
            WHERE n.id = x.id
            RETURNING n.id, n.cliente_id AS clienteid, n.canal, n.destino, n.plantilla, n.asunto, n.cuerpo, n.estado, n.cid,
                      n.created_at AS createdat, n.enviada_en AS enviadaen, n.intentos
            """, new { ahora, reserva = ahora.AddSeconds(o.ReservaSegundos), o.TamanoLote }, cancellationToken: ct))).AsList();
    }

    private async Task<string?> EntregarAsync(Notificacion n, CancellationToken ct)
    {
        if (!_proveedores.TryGetValue(n.Canal, out var proveedor)) return $"No hay proveedor para el canal {n.Canal}.";
        try
        {
            await proveedor.EntregarAsync(n, ct);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return e.Message.Length > 500 ? e.Message[..500] : e.Message;
        }
    }

    private async Task<string> RegistrarAsync(Notificacion n, string? error, OpcionesNotificaciones o, CancellationToken ct)
    {
        var intentos = n.Intentos + 1;
        var sinProveedor = error is not null && !_proveedores.ContainsKey(n.Canal);
        var resultado = error is null ? "enviada" : sinProveedor || intentos >= o.MaxIntentos ? "fallida" : "pendiente";
        var espera = TimeSpan.FromSeconds(Math.Min(3600, o.EsperaBaseSegundos * Math.Pow(2, intentos - 1)));
        var ahora = reloj.GetUtcNow();
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE notificaciones SET estado = @resultado, intentos = @intentos, error = @error, proximo_intento = @proximo,
                   enviada_en = CASE WHEN @resultado = 'enviada' THEN @ahora END
            WHERE id = @Id AND estado = 'pendiente'
            """, new { n.Id, resultado, intentos, error, proximo = ahora + espera, ahora }, cancellationToken: ct));
        return resultado;
    }
}
