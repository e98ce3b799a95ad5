using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using Telecable.Application.Ciclos;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>
/// The printable statement of account (PDF, PDFsharp 6.2.4, MIT): customer, range, every movement with its running
/// balance, credit balance, charges for the next invoice and the next cut-off with any warning. The font is DejaVu Sans,
/// embedded in this assembly, so the output does not depend on the host's fonts.
/// </summary>
public static class EstadoDeCuentaPdf
{
    private static readonly CultureInfo Mx = CultureInfo.GetCultureInfo("es-MX");
    private static readonly Lock Cerrojo = new();

    public static byte[] Generar(EstadoDeCuenta e)
    {
        AsegurarFuentes();
        using var doc = new PdfDocument();
        doc.Info.Title = $"Estado de cuenta {e.NumeroCliente}";
        var normal = new XFont(ResolvedorFuentes.Familia, 9);
        var negrita = new XFont(ResolvedorFuentes.Familia, 9, XFontStyleEx.Bold);
        var titulo = new XFont(ResolvedorFuentes.Familia, 14, XFontStyleEx.Bold);
        PdfPage pagina = doc.AddPage();
        var g = XGraphics.FromPdfPage(pagina);
        double y = 40;
        void Texto(string t, XFont f, double x, XStringFormat? formato = null, double ancho = 0)
        {
            if (ancho > 0) g.DrawString(t, f, XBrushes.Black, new XRect(x, y, ancho, 12), formato ?? XStringFormats.TopLeft);
            else g.DrawString(t, f, XBrushes.Black, x, y, XStringFormats.TopLeft);
        }
        void Renglon()
        {
            y += 13;
            if (y <= pagina.Height.Point - 50) return;
            g.Dispose();
            pagina = doc.AddPage();
            g = XGraphics.FromPdfPage(pagina);
            y = 40;
        }
        string M(decimal v) => v.ToString("C2", Mx);

        Texto("Telecable - Estado de cuenta", titulo, 40); y += 22;
        Texto($"{e.Nombre} (cliente {e.NumeroCliente})", negrita, 40); Renglon();
        Texto($"Del {e.Desde:dd/MM/yyyy} al {e.Hasta:dd/MM/yyyy}", normal, 40); Renglon();
        Texto($"Saldo inicial: {M(e.SaldoInicial)}", normal, 40); Renglon(); Renglon();
        Texto("Fecha", negrita, 40); Texto("Concepto", negrita, 100); Texto("Cargo", negrita, 360, XStringFormats.TopRight, 60);
        Texto("Abono", negrita, 425, XStringFormats.TopRight, 60); Texto("Saldo", negrita, 490, XStringFormats.TopRight, 70); Renglon();
        foreach (var m in e.Movimientos)
        {
            Texto(m.Fecha.ToString("dd/MM/yyyy", Mx), normal, 40);
            Texto(m.Concepto.Length > 48 ? m.Concepto[..47] + "…" : m.Concepto, normal, 100);
            if (m.Cargo != 0) Texto(M(m.Cargo), normal, 360, XStringFormats.TopRight, 60);
            if (m.Abono != 0) Texto(M(m.Abono), normal, 425, XStringFormats.TopRight, 60);
            Texto(M(m.Saldo), normal, 490, XStringFormats.TopRight, 70);
            Renglon();
        }
        Renglon();
        Texto($"Saldo final: {M(e.SaldoFinal)}", negrita, 40); Renglon();
        if (e.SaldoAFavor > 0) { Texto($"Saldo a favor: {M(e.SaldoAFavor)} (se aplica a tu siguiente factura)", normal, 40); Renglon(); }
        foreach (var c in e.CargosPorFacturar) { Texto($"Por facturar: {c.Concepto} {M(c.Importe)} + impuestos", normal, 40); Renglon(); }
        if (e.ProximoCorte is { } p)
        {
            Texto($"Próximo corte: {p.Fecha:dd/MM/yyyy}, aprox. {M(p.MontoEstimado)}. Por pagar hoy: {M(p.PorPagar)}", normal, 40); Renglon();
            if (p.Aviso is not null) { Texto(p.Aviso, negrita, 40); Renglon(); }
        }
        Texto(Domain.Cobranza.PlantillasCobranza.ComoPagar, normal, 40);
        g.Dispose();
        using var salida = new MemoryStream();
        doc.Save(salida, false);
        return salida.ToArray();
    }

    private static void AsegurarFuentes()
    {
        lock (Cerrojo)
        {
            // PDFsharp takes one process-wide resolver, settable once.
            if (GlobalFontSettings.FontResolver is not ResolvedorFuentes) GlobalFontSettings.FontResolver = new ResolvedorFuentes();
        }
    }

    private sealed class ResolvedorFuentes : IFontResolver
    {
        public const string Familia = "DejaVu Sans";
        private static readonly Lazy<byte[]> Fuente = new(() =>
        {
            using var s = typeof(ResolvedorFuentes).Assembly.GetManifestResourceStream("Telecable.Fuentes.DejaVuSans.ttf")
                ?? throw new InvalidOperationException("Falta la fuente incrustada DejaVuSans.ttf.");
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        });

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
            new("DejaVuSans", bold, italic);

        public byte[]? GetFont(string faceName) => Fuente.Value;
    }
}
