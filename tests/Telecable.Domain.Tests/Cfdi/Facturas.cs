using Telecable.Domain.Cfdi;
using static Telecable.Domain.Cfdi.ImpuestoLinea;

namespace Telecable.Domain.Tests.Cfdi;

/// <summary>SAT's public test CSD and random invoices full of what breaks naive cadenas: XML
/// metacharacters, Ñ and accents, quotes, runs of whitespace, tabs and line breaks, characters beyond the BMP.</summary>
internal static class Facturas
{
    public const string PasswordCsd = "12345678a";

    private static readonly Lazy<CsdCertificate> LazyCsd = new(() => CsdCertificate.Load(
        File.ReadAllBytes(SatReferencia.Ruta("csd", "EKU9003173C9.cer")),
        File.ReadAllBytes(SatReferencia.Ruta("csd", "EKU9003173C9.key")),
        PasswordCsd));

    public static CsdCertificate Csd => LazyCsd.Value;

    private static readonly string[] Nombres =
    [
        "ESCUELA KEMPER URGATE", "Telecable & Asociados, S.A. de C.V.", "PEÑA Y NUÑEZ", "José Ángel Güemes Íñiguez",
        "O'Brien \"El Güero\"", "<Cable> & 'Fibra'", "  doble  espacio   final  ", "\tcon\ttabs y\nsaltos\r\nde línea ",
        "Ünïcödé ⏻ 📡 señal", "a>b<c&d",
    ];
    private static readonly string[] Rfcs = ["MCI7306249Y1", "XOJI740919U48", "A&C8107217Y3", "ÑAÑ810721AB3", "CACX7605101P8"];
    private static readonly string[] Descripciones =
    [
        "Internet 100 Mbps", "Renta de módem & router", "Cargo por \"reconexión\"", "Servicio 'Plus'  <promo>",
        "  Instalación   en   sitio  ", "Paquete TV+Internet — noviembre", "Línea\ttelefónica\n ilimitada",
    ];
    private static readonly IReadOnlyList<ImpuestoLinea>[] Impuestos =
        [[Iva16], [Ieps3, Iva16], [Iva0], [IvaExento], [], [Iva16, Ieps3]];

    public static DateTime Ahora() => FormatoCfdi.HoraMexico(DateTimeOffset.UtcNow).AddMinutes(-1);

    public static DatosComprobante Datos(DateTime fecha) => new()
    {
        Serie = "A",
        Folio = "1001",
        Fecha = fecha,
        FormaPago = "03",
        MetodoPago = CatalogoSat.MetodoPue,
        LugarExpedicion = "86000",
        Emisor = new Emisor("EKU9003173C9", "ESCUELA KEMPER URGATE", "601"),
        Receptor = new Receptor("MCI7306249Y1", "MUNICIPIO DE CUAUTITLAN IZCALLI", "54700", "603", "G03"),
    };

    public static LineaFactura Linea(decimal cantidad, decimal valorUnitario, params IReadOnlyList<ImpuestoLinea> impuestos) => new()
    {
        ClaveProdServ = "81112101",
        Descripcion = "Internet 100 Mbps",
        Cantidad = cantidad,
        ValorUnitario = valorUnitario,
        Impuestos = impuestos,
    };

    public static Comprobante Simple(DateTime fecha) =>
        CalculadoraCfdi.Calcular(Datos(fecha), [Linea(1m, 499m, Ieps3, Iva16)]);

    /// <summary>Two PPD invoices (12,000.00 and 10,000.00 with IVA 16) and one payment of 15,000.00: all of the
    /// first, 3,000.00 of the second. Same figures as SAT sample 04 (the Pagos 2.0 one).</summary>
    public static Comprobante Pago(DateTime fecha)
    {
        var ppd = Datos(fecha) with { MetodoPago = CatalogoSat.MetodoPpd, FormaPago = CatalogoSat.FormaPorDefinir };
        var a = CalculadoraCfdi.Calcular(ppd with { Folio = "A-1" }, [Linea(1m, 10344.83m, Iva16)]);
        var b = CalculadoraCfdi.Calcular(ppd with { Folio = "A-2" }, [Linea(1m, 8620.69m, Iva16)]);
        return CalculadoraPagos.Calcular(Datos(fecha) with { Serie = "P", Folio = "77" },
        [
            new PagoAplicado(fecha.AddHours(-1), "03",
            [
                new DocumentoPagado(a, "00000000-1111-2222-3333-00000000000A", 2, 12000.00m, 12000.00m),
                new DocumentoPagado(b, "00000000-1111-2222-3333-00000000000B", 1, 10000.00m, 3000.00m),
            ], "963852"),
        ]);
    }

    public static IEnumerable<Comprobante> Aleatorias(int semilla, int cuantas, DateTime fecha)
    {
        var r = new Random(semilla);
        for (var i = 0; i < cuantas; i++)
        {
            yield return Aleatoria(r, fecha, i);
        }
    }

    private static Comprobante Aleatoria(Random r, DateTime fecha, int folio)
    {
        var ppd = r.Next(4) == 0;
        var datos = new DatosComprobante
        {
            Serie = r.Next(3) == 0 ? null : Pick(r, ["A", "FAC", " B  1 "]),
            Folio = r.Next(4) == 0 ? null : folio.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Fecha = fecha,
            FormaPago = ppd ? CatalogoSat.FormaPorDefinir : Pick(r, ["01", "03", "04", "28"]),
            MetodoPago = ppd ? CatalogoSat.MetodoPpd : CatalogoSat.MetodoPue,
            CondicionesDePago = r.Next(3) == 0 ? Pick(r, Nombres) : null,
            TipoDeComprobante = r.Next(5) == 0 ? CatalogoSat.TipoEgreso : CatalogoSat.TipoIngreso,
            LugarExpedicion = Pick(r, ["86000", "06300", "64000"]),
            Emisor = new Emisor(Csd.Rfc, Pick(r, Nombres), "601"),
            Receptor = new Receptor(Pick(r, Rfcs), Pick(r, Nombres), "54700", Pick(r, ["601", "603", "612", "616"]), Pick(r, ["G03", "S01"])),
            CfdiRelacionados = r.Next(4) == 0 ? [new CfdiRelacionados("04", [Uuid(r), .. r.Next(2) == 0 ? new[] { Uuid(r) } : []])] : [],
            InformacionGlobal = r.Next(8) == 0 ? new InformacionGlobal("01", "11", 2026) : null,
        };
        var lineas = Enumerable.Range(0, r.Next(1, 6)).Select(_ => Linea(r)).ToList();
        var c = CalculadoraCfdi.Calcular(datos, lineas);
        if (r.Next(6) == 0)
        {
            c = ConNodosDeConcepto(r, c);
        }
        return r.Next(5) == 0 ? ConRetencionIsr(c) : c;
    }

    private static LineaFactura Linea(Random r)
    {
        var cantidad = Pick(r, [1m, 2m, 0.5m, 3.25m, 12m, 1.333333m]);
        var valorUnitario = r.Next(1, 2_000_000) / Pick(r, [1m, 100m, 1_000_000m]);
        return new LineaFactura
        {
            ClaveProdServ = Pick(r, ["81112101", "83121703", "43222600"]),
            NoIdentificacion = r.Next(2) == 0 ? $"PLAN-{r.Next(100)} " : null,
            Descripcion = Pick(r, Descripciones),
            Cantidad = cantidad,
            ClaveUnidad = Pick(r, ["E48", "H87", "ACT"]),
            Unidad = r.Next(2) == 0 ? Pick(r, ["Servicio", "Pieza", " Mes  "]) : null,
            ValorUnitario = valorUnitario,
            Descuento = r.Next(3) == 0 ? CalculadoraCfdi.Redondear(cantidad * valorUnitario * r.Next(0, 50) / 100m) : 0m,
            Impuestos = Pick(r, Impuestos),
        };
    }

    // Nodes the calculator never emits but the cadena must order right: third parties, customs, property
    // account, parts (with their own customs entries; SAT's pedimento pattern has double spaces).
    private static Comprobante ConNodosDeConcepto(Random r, Comprobante c)
    {
        var primero = c.Conceptos[0] with
        {
            ACuentaTerceros = new ACuentaTerceros(Pick(r, Rfcs), Pick(r, Nombres), "601", "06300"),
            InformacionAduanera = ["21  47  3807  8003832"],
            CuentaPredial = ["15956011002", "A1B2"],
            Partes =
            [
                new Parte("43222600", 1m, Pick(r, Descripciones), "ANT-1", "Pieza", 100m, 100m, ["21  47  3807  8003833"]),
                new Parte("43222600", 2.5m, "Cable & conectores"),
            ],
        };
        return c with { Conceptos = [primero, .. c.Conceptos.Skip(1)] };
    }

    private static Comprobante ConRetencionIsr(Comprobante c)
    {
        var k = c.Conceptos[0];
        var baseIsr = k.Importe - (k.Descuento ?? 0m);
        var isr = CalculadoraCfdi.Redondear(baseIsr * 0.10m);
        var primero = k with
        {
            ObjetoImp = CatalogoSat.ObjetoSiObjeto,
            Retenciones = [new Retencion(baseIsr, CatalogoSat.ImpuestoIsr, CatalogoSat.FactorTasa, 0.100000m, isr)],
        };
        var impuestos = c.Impuestos ?? new ImpuestosComprobante(null, null, [], []);
        return c with
        {
            Conceptos = [primero, .. c.Conceptos.Skip(1)],
            Impuestos = impuestos with { TotalImpuestosRetenidos = isr, Retenciones = [new RetencionComprobante(CatalogoSat.ImpuestoIsr, isr)] },
            Total = c.Total - isr,
        };
    }

    private static string Uuid(Random r)
    {
        var bytes = new byte[16];
        r.NextBytes(bytes);
        return new Guid(bytes).ToString("D").ToUpperInvariant();
    }

    private static T Pick<T>(Random r, IReadOnlyList<T> opciones) => opciones[r.Next(opciones.Count)];
}
