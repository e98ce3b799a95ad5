using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Domain.Routers;
using Telecable.Infrastructure.Datos;

namespace Telecable.Infrastructure.Routers;

/// <summary>A command handed to a router in the answer to its report.</summary>
public sealed record ComandoEntregado(Guid Id, string Tipo, JsonElement Parametros);

/// <summary>What the router is told after a report: when to report again and what to do.</summary>
public sealed record RespuestaReporte(string Estado, int IntervaloSegundos, IReadOnlyList<ComandoEntregado> Comandos);

/// <summary>
/// The hot path. A report is validated and classified here, then written by <see cref="LoteTelemetria"/>:
/// one statement (for a whole batch of concurrent reports) upserts the latest state, remembering the
/// previous one under the row lock, appends to the history, completes acknowledged commands and
/// delivers the pending ones. It runs on a data source with synchronous_commit off: a report is
/// superseded 10 s later, so losing the last fraction of a second of telemetry on a database crash is
/// acceptable, and it spares a WAL flush per post. No outbox event per post: only a transition back
/// from offline takes a second, ordinary transaction (closing the outage, RouterReconectado).
/// </summary>
public sealed class IngestaTelemetria(LoteTelemetria lote, DetectorDesconexiones detector, IOptions<OpcionesRouters> opciones, TimeProvider reloj)
{
    private static readonly Counter<long> Reportes = Telemetria.Medidor.CreateCounter<long>(
        "telecable.routers.reportes", description: "Reportes de telemetría aceptados, por estado");

    public async Task<RespuestaReporte> RegistrarAsync(RouterAutenticado router, ReporteRouter r, System.Net.IPAddress? ip, string cid, CancellationToken ct)
    {
        var op = opciones.Value;
        ReglasTelemetria.Validar(r, router.Serial, router.Tecnologia);
        var estado = ReglasTelemetria.Clasificar(r, router.Tecnologia, op.ErroresMaximos);
        var ahora = reloj.GetUtcNow();
        var resultado = await lote.EscribirAsync(new FilaTelemetria(router.Id, estado, ahora, ip, r.Firmware!, r.UptimeSegundos!.Value,
            r.SenalDbm!.Value, r.SnrDb, r.BajadaMbps!.Value, r.SubidaMbps!.Value, r.ClientesConectados,
            r.Errores is { } err ? $"{{\"errores\":{err}}}" : "{}", r.ComandosCompletados?.ToArray() ?? []));

        if (resultado.EstadoAnterior == EstadosRouter.FueraDeLinea)
            await detector.CerrarDesconexionAsync(router.Id, ahora, cid, ct);

        Reportes.Add(1, new KeyValuePair<string, object?>("estado", estado));
        var comandos = JsonSerializer.Deserialize<List<ComandoEntregado>>(resultado.ComandosJson, JsonWeb.Opciones) ?? [];
        var intervalo = estado == EstadosRouter.Suspendido ? Math.Min(op.IntervaloSuspendidoSegundos, op.IntervaloSegundos) : op.IntervaloSegundos;
        return new RespuestaReporte(estado, intervalo, comandos);
    }
}

/// <summary>A second data source over the same database, with synchronous_commit off, for telemetry only.</summary>
public sealed class FuenteTelemetria(NpgsqlDataSource datos) : IAsyncDisposable
{
    public NpgsqlDataSource Datos { get; } = datos;

    /// <summary>Same database and authentication as the main data source, its own small pool (Postgres:PoolTelemetria).</summary>
    public static FuenteTelemetria Crear(OpcionesPostgres op, Azure.Core.TokenCredential? credencial, TimeProvider reloj) =>
        new(FuentesPostgres.Crear(op, credencial, reloj, b =>
        {
            b.Options = string.IsNullOrWhiteSpace(b.Options) ? "-c synchronous_commit=off" : b.Options + " -c synchronous_commit=off";
            if (b.MaxAutoPrepare == 0) b.MaxAutoPrepare = 20;
            b.MaxPoolSize = Math.Max(1, op.PoolTelemetria);
        }));

    public ValueTask DisposeAsync() => Datos.DisposeAsync();
}
