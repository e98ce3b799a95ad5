using System.Globalization;

namespace Telecable.Domain.Cobranza;

/// <summary>The stages an unpaid invoice goes through, in order.</summary>
public static class EtapasCobranza
{
    public const string RecordatorioPrevio = "recordatorio_previo";
    public const string RecordatorioVencimiento = "recordatorio_vencimiento";
    public const string RecordatorioVencida = "recordatorio_vencida";
    public const string Suspension = "suspension";
}

/// <summary>An open invoice as collections sees it.</summary>
public sealed record FacturaAbierta(DateOnly Vencimiento, int DiasGracia, DateOnly? PromesaHasta, IReadOnlySet<string> EtapasHechas);

/// <summary>
/// When each stage of an unpaid invoice is due (dates are Mexico City days):
/// <list type="bullet">
/// <item>a reminder <see cref="DiasAviso"/> days before the due date, one on the due date, one the day after;</item>
/// <item>suspension once <c>DiasGracia</c> days have passed since the due date, unless a promise to pay holds it
/// (up to and including its date).</item>
/// </list>
/// Only the latest reminder whose day has come is sent (a timer that did not run for days does not send three
/// messages at once); a stage already done is never due again.
/// </summary>
public static class ReglasCobranza
{
    public const int DiasAviso = 3;

    public static IReadOnlyList<string> Pendientes(FacturaAbierta f, DateOnly hoy)
    {
        var etapas = new List<string>();
        var recordatorio = hoy >= f.Vencimiento.AddDays(1) ? EtapasCobranza.RecordatorioVencida
            : hoy >= f.Vencimiento ? EtapasCobranza.RecordatorioVencimiento
            : hoy >= f.Vencimiento.AddDays(-DiasAviso) ? EtapasCobranza.RecordatorioPrevio
            : null;
        var yaAvisado = recordatorio is not null && Orden(recordatorio) <= f.EtapasHechas.Where(e => e != EtapasCobranza.Suspension).Select(Orden).DefaultIfEmpty(-1).Max();
        if (recordatorio is not null && !yaAvisado) etapas.Add(recordatorio);
        var promesaVigente = f.PromesaHasta is { } p && hoy <= p;
        if (hoy > f.Vencimiento.AddDays(f.DiasGracia) && !promesaVigente && !f.EtapasHechas.Contains(EtapasCobranza.Suspension))
            etapas.Add(EtapasCobranza.Suspension);
        return etapas;
    }

    /// <summary>A stage's place in the sequence (reminders before suspension).</summary>
    public static int Orden(string etapa) => etapa switch
    {
        EtapasCobranza.RecordatorioPrevio => 0,
        EtapasCobranza.RecordatorioVencimiento => 1,
        EtapasCobranza.RecordatorioVencida => 2,
        _ => 3,
    };
}

/// <summary>The Spanish texts of collections, in one place.</summary>
public static class PlantillasCobranza
{
    private static readonly CultureInfo Mx = CultureInfo.GetCultureInfo("es-MX");

    public static (string Asunto, string Cuerpo) Mensaje(string etapa, string nombre, string folio, decimal saldo, DateOnly vencimiento, string comoPagar)
    {
        var monto = saldo.ToString("C2", Mx) + " MXN";
        var fecha = vencimiento.ToString("d 'de' MMMM", Mx);
        return etapa switch
        {
            EtapasCobranza.RecordatorioPrevio => ("Tu factura vence pronto",
                $"Hola {nombre}: tu factura {folio} por {monto} vence el {fecha}. {comoPagar}"),
            EtapasCobranza.RecordatorioVencimiento => ("Tu factura vence hoy",
                $"Hola {nombre}: hoy vence tu factura {folio} por {monto}. {comoPagar}"),
            EtapasCobranza.RecordatorioVencida => ("Tu factura está vencida",
                $"Hola {nombre}: tu factura {folio} por {monto} venció el {fecha}. Págala para evitar la suspensión del servicio. {comoPagar}"),
            EtapasCobranza.Suspension => ("Servicio suspendido por falta de pago",
                $"Hola {nombre}: suspendimos tu servicio porque la factura {folio} por {monto} venció el {fecha}. En cuanto recibamos tu pago lo reactivamos en segundos. {comoPagar}"),
            _ => throw new ArgumentOutOfRangeException(nameof(etapa), etapa, "Etapa de cobranza desconocida."),
        };
    }

    public const string ComoPagar = "Paga en línea desde el portal de clientes (tarjeta) o en cualquier sucursal con tu número de cliente.";
}
