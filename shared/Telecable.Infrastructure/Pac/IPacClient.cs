namespace Telecable.Infrastructure.Pac;

/// <summary>A PAC (proveedor autorizado de certificación): stamps sealed CFDIs and cancels them.</summary>
public interface IPacClient
{
    Task<ResultadoTimbrado> TimbrarAsync(string xmlSellado, CancellationToken cancellationToken);

    /// <param name="motivo">SAT motive 01..04; 01 (errores con relación) requires <paramref name="folioSustitucion"/>.</param>
    Task<ResultadoCancelacion> CancelarAsync(
        string uuid, string rfcEmisor, string motivo, string? folioSustitucion, CancellationToken cancellationToken);
}

/// <summary>PAC answer codes. Only <see cref="NoDisponible"/> is worth retrying as is.</summary>
public static class CodigosPac
{
    public const string EstructuraInvalida = "301";
    public const string SelloInvalido = "302";
    public const string SelloNoCorrespondeEmisor = "303";
    public const string FueraDeVigenciaCsd = "305";
    public const string PreviamenteTimbrado = "307";
    public const string FechaFueraDeRango = "401";
    public const string NoDisponible = "503";

    public const string CancelacionAceptada = "201";
    public const string PreviamenteCancelado = "202";
    public const string NoCorrespondeEmisor = "203";
    public const string UuidNoEncontrado = "205";
    public const string SolicitudInvalida = "301";
}

/// <summary>
/// <see cref="Exitoso"/> is true whenever a stamp comes back: fresh (<see cref="Codigo"/> null) or the
/// original one of a re-sent CFDI (<see cref="CodigosPac.PreviamenteTimbrado"/>, same UUID).
/// </summary>
public sealed record ResultadoTimbrado(
    bool Exitoso, string? Codigo, string? Mensaje, string? XmlTimbrado, string? Uuid, DateTime? FechaTimbrado)
{
    public bool PreviamenteTimbrado => Codigo == CodigosPac.PreviamenteTimbrado;
    public bool EsTransitorio => Codigo == CodigosPac.NoDisponible;

    public static ResultadoTimbrado Timbrado(string xml, string uuid, DateTime fechaTimbrado) =>
        new(true, null, null, xml, uuid, fechaTimbrado);

    public static ResultadoTimbrado Previo(string xml, string uuid, DateTime fechaTimbrado) =>
        new(true, CodigosPac.PreviamenteTimbrado, "CFDI previamente timbrado", xml, uuid, fechaTimbrado);

    public static ResultadoTimbrado Error(string codigo, string mensaje) => new(false, codigo, mensaje, null, null, null);
}

/// <summary><see cref="Exitoso"/> is also true for <see cref="CodigosPac.PreviamenteCancelado"/>:
/// cancelling twice leaves the same state, so a retried request is not a failure.</summary>
public sealed record ResultadoCancelacion(
    bool Exitoso, string Codigo, string Mensaje, string Uuid, DateTime? FechaCancelacion)
{
    public bool EsTransitorio => Codigo == CodigosPac.NoDisponible;

    /// <summary>Request received but the CFDI stays in force until the receptor accepts or rejects it (SAT's
    /// EstatusCancelacion "En proceso"); ask <see cref="IConsultaCancelaciones"/> later.</summary>
    public bool EnProceso { get; init; }
}

/// <summary>Where a cancellation that waits for the receptor's acceptance stands (SAT's consulta de estatus:
/// EstatusCancelacion "En proceso", "Cancelado con aceptación" / "Plazo vencido", "Solicitud rechazada").</summary>
public enum EstadoCancelacionPac
{
    NoSolicitada,
    EnProceso,
    Cancelada,
    Rechazada,
}

/// <summary>The PAC's status query for cancellations (a real PAC forwards SAT's; the emulated one keeps its own).</summary>
public interface IConsultaCancelaciones
{
    Task<EstadoCancelacionPac> ConsultarCancelacionAsync(string uuid, CancellationToken cancellationToken);
}
