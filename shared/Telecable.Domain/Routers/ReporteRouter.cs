using Telecable.Domain.Comun;

namespace Telecable.Domain.Routers;

/// <summary>States a router can be in, as stored in router_estado.estado and shown by the API.</summary>
public static class EstadosRouter
{
    public const string EnLinea = "en_linea";
    public const string Degradado = "degradado";
    public const string FueraDeLinea = "fuera_de_linea";
    public const string Reiniciando = "reiniciando";
    /// <summary>Service suspended for non-payment: the router still reports, and says so.</summary>
    public const string Suspendido = "suspendido";

    public static readonly IReadOnlySet<string> Consultables = new HashSet<string> { EnLinea, Degradado, FueraDeLinea, Reiniciando, Suspendido };
}

/// <summary>Access technologies (tecnologias.clave) whose signal we know how to judge.</summary>
public static class TecnologiasRouter
{
    public const string Ftth = "FTTH";
    public const string Docsis = "HFC_DOCSIS";
}

/// <summary>
/// One telemetry report as a router posts it every interval. Signal: optical receive power in dBm for
/// FTTH (GPON ONT), downstream power in dBmV plus SNR in dB for DOCSIS. Throughput in Mbps.
/// </summary>
public sealed record ReporteRouter(
    string? Serial,
    string? Firmware,
    long? UptimeSegundos,
    decimal? SenalDbm,
    decimal? SnrDb,
    decimal? BajadaMbps,
    decimal? SubidaMbps,
    int? ClientesConectados,
    long? Errores,
    IReadOnlyList<Guid>? ComandosCompletados,
    bool? Suspendido = null);

/// <summary>Pure rules of telemetry: what a valid report is, and whether its signal is healthy.</summary>
public static class ReglasTelemetria
{
    public const long UptimeMaximo = 10L * 366 * 24 * 3600;
    public const int MaximoComandosPorReporte = 20;

    /// <summary>Rejects malformed or out-of-range values (all reported at once), before anything is stored.</summary>
    public static void Validar(ReporteRouter r, string serialAutenticado, string tecnologia)
    {
        var v = new Validador();
        v.Requerido(r.Serial, "serial", 40)
         .Regla(r.Serial is null || r.Serial == serialAutenticado, "serial", "No coincide con el router autenticado.")
         .Requerido(r.Firmware, "firmware", 64)
         .Regla(r.UptimeSegundos is not null, "uptimeSegundos", "Es obligatorio.")
         .Regla(r.UptimeSegundos is null or (>= 0 and <= UptimeMaximo), "uptimeSegundos", $"Debe estar entre 0 y {UptimeMaximo}.")
         .Regla(r.SenalDbm is not null, "senalDbm", "Es obligatorio.")
         .Regla(r.BajadaMbps is not null, "bajadaMbps", "Es obligatorio.")
         .Regla(r.SubidaMbps is not null, "subidaMbps", "Es obligatorio.")
         .Regla(r.BajadaMbps is null or (>= 0 and <= 100_000), "bajadaMbps", "Debe estar entre 0 y 100000 Mbps.")
         .Regla(r.SubidaMbps is null or (>= 0 and <= 100_000), "subidaMbps", "Debe estar entre 0 y 100000 Mbps.")
         .Regla(r.ClientesConectados is null or (>= 0 and <= 1024), "clientesConectados", "Debe estar entre 0 y 1024.")
         .Regla(r.Errores is null or >= 0, "errores", "No puede ser negativo.")
         .Regla(r.ComandosCompletados is null || r.ComandosCompletados.Count <= MaximoComandosPorReporte,
             "comandosCompletados", $"Admite como máximo {MaximoComandosPorReporte}.");
        if (tecnologia == TecnologiasRouter.Docsis)
        {
            v.Regla(r.SenalDbm is null or (>= -30 and <= 30), "senalDbm", "La potencia DOCSIS de bajada debe estar entre -30 y 30 dBmV.")
             .Regla(r.SnrDb is not null, "snrDb", "Es obligatorio en DOCSIS.")
             .Regla(r.SnrDb is null or (>= 0 and <= 60), "snrDb", "Debe estar entre 0 y 60 dB.");
        }
        else
        {
            v.Regla(r.SenalDbm is null or (>= -50 and <= 10), "senalDbm", "La potencia óptica debe estar entre -50 y 10 dBm.")
             .Regla(r.SnrDb is null or (>= 0 and <= 60), "snrDb", "Debe estar entre 0 y 60 dB.");
        }
        v.Lanzar();
    }

    /// <summary>
    /// en_linea or degradado from the signal: GPON class B+ receivers work between -8 and -27 dBm;
    /// DOCSIS downstream wants -7..+7 dBmV (tolerated to ±10) and SNR of at least 33 dB for 256-QAM;
    /// more than <paramref name="erroresMaximos"/> uncorrectable errors in an interval also degrade.
    /// </summary>
    public static string Clasificar(ReporteRouter r, string tecnologia, long erroresMaximos = 100)
    {
        if (r.Suspendido == true) return EstadosRouter.Suspendido;
        if (r.Errores > erroresMaximos) return EstadosRouter.Degradado;
        var sano = tecnologia == TecnologiasRouter.Docsis
            ? r.SenalDbm is >= -10 and <= 10 && r.SnrDb >= 33
            : r.SenalDbm is >= -27 and <= -8;
        return sano ? EstadosRouter.EnLinea : EstadosRouter.Degradado;
    }
}
