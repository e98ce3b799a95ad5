using System.Text.Json;
using Microsoft.Extensions.Options;
using Telecable.Application.Pagos;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>
/// PAYMENT_MODE=emulated: a SPEI collection provider (STP-like) that notifies each deposit ("abono") to one of the
/// customers' CLABEs. Its tracking key (<c>claveRastreo</c>) is both the event id and the payment id, so a
/// re-sent notice is a duplicate; the customer is found by <c>clabeBeneficiario</c> (<see cref="ServicioWebhooks"/>).
/// </summary>
public sealed class AdaptadorSpeiEmulado(IOptions<OpcionesWebhooksSpei> opciones) : AdaptadorHmac(() => opciones.Value)
{
    public const string NombrePasarela = "spei";
    /// <summary>Its settings section: <c>Webhooks:Spei:Secretos:0</c>, <c>:1</c>, <c>ToleranciaSegundos</c>.</summary>
    public const string Seccion = OpcionesWebhooksSpei.Seccion;
    public override string Nombre => NombrePasarela;
    public override string Metodo => MetodosPago.Spei;
    public override string EncabezadoFirma => FirmaSpei.Encabezado;

    /// <summary>STP-style daily statement of the collection account: one line per deposit ("abono"), semicolon
    /// separated, amount in MXN; other movement types (returns, fees) are not payments.</summary>
    private static readonly string[] ColumnasLiquidacion =
        ["FechaOperacion", "TipoMovimiento", "ClaveRastreo", "CuentaBeneficiario", "InstitucionOrdenante", "Monto"];

    public override IReadOnlyList<MovimientoLiquidacion> LeerLiquidacion(string contenido) =>
        CsvLiquidacion.Leer(contenido, ";", "ClaveRastreo", "Monto", t => t == "ABONO", "TipoMovimiento");

    public override string EscribirLiquidacion(DateOnly dia, IEnumerable<MovimientoLiquidacion> movimientos) =>
        CsvLiquidacion.Escribir(";", ColumnasLiquidacion, movimientos.Select(m =>
            new[] { $"{dia:yyyyMMdd}", "ABONO", m.Referencia, "", "40012", CsvLiquidacion.Monto(m.Monto) }));

    public override EventoPasarela Interpretar(ReadOnlySpan<byte> cuerpo) => InterpretarJson(cuerpo, raiz =>
        {
            var rastreo = Texto(raiz, "claveRastreo");
            if (string.IsNullOrWhiteSpace(rastreo) || rastreo.Length > 30) throw new ErrorEventoPasarela("claveRastreo_invalida");
            var clabe = Texto(raiz, "clabeBeneficiario");
            if (!Clabe.EsValida(clabe)) throw new ErrorEventoPasarela("clabeBeneficiario_invalida");
            var monto = raiz.GetProperty("monto").GetDecimal();
            if (monto <= 0 || decimal.Round(monto, 2) != monto) throw new ErrorEventoPasarela("monto_invalido");
            return new EventoPasarela(rastreo, "abono", true, rastreo, null, monto, MetodosPago.Spei, [], clabe);
        });

    /// <summary>The body the emulated provider sends for a deposit (tests, docs).</summary>
    public static string CuerpoAbono(string claveRastreo, string clabeBeneficiario, decimal monto, string ordenante = "JUAN PEREZ LOPEZ") =>
        JsonSerializer.Serialize(new
        {
            claveRastreo,
            clabeBeneficiario,
            monto,
            fechaOperacion = "20261203",
            institucionOrdenante = "40012",
            nombreOrdenante = ordenante,
            conceptoPago = "PAGO SERVICIO INTERNET",
        });
}
