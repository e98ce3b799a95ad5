using System.Diagnostics;
using System.Net;
using Telecable.Infrastructure.Pagos;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>
/// An independent signer produces a header this system accepts: Stripe's own Node library
/// (npm package stripe, pinned in the repo's package.json and installed by scripts/instalar.sh) and a
/// plain Node crypto one-liner.
/// </summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class FirmadorStripeTests(HostPagos host)
{
    /// <summary>The repo root: node resolves require('stripe') from its node_modules.</summary>
    private static readonly string Carpeta = RaizRepo();

    private static string RaizRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Telecable.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("No se encontró la raíz del repositorio (Telecable.sln).");
    }

    private static async Task<string> EjecutarAsync(string archivo, string argumentos, Dictionary<string, string> entorno)
    {
        var psi = new ProcessStartInfo(archivo, argumentos) { WorkingDirectory = Carpeta, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in entorno) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var salida = await p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"{archivo} {argumentos}: {error}");
        return salida.Trim();
    }

    private static void AsegurarStripe() =>
        Assert.True(File.Exists(Path.Combine(Carpeta, "node_modules", "stripe", "package.json")),
            "Falta el paquete npm stripe: corra scripts/instalar.sh (npm ci).");

    [Fact]
    public async Task La_biblioteca_de_Stripe_y_un_HMAC_en_Node_producen_encabezados_aceptados()
    {
        AsegurarStripe();
        var cliente = await DatosPagos.ClienteAsync(host);

        var cuerpo = AdaptadorPasarelaEmulada.CuerpoPagoExitoso($"evt_{Guid.NewGuid():N}", $"pi_{Guid.NewGuid():N}", cliente, 99.90m);
        var encabezado = await EjecutarAsync("node", "-e \"const s=require('stripe')('sk_test_x');process.stdout.write(s.webhooks.generateTestHeaderString({payload:process.env.CUERPO,secret:process.env.SECRETO}))\"",
            new() { ["CUERPO"] = cuerpo, ["SECRETO"] = HostPagos.SecretoActual });
        Assert.StartsWith("t=", encabezado);
        Assert.Equal(HttpStatusCode.OK, (await host.WebhookAsync(cuerpo, encabezado)).StatusCode);

        var otro = AdaptadorPasarelaEmulada.CuerpoPagoExitoso($"evt_{Guid.NewGuid():N}", $"pi_{Guid.NewGuid():N}", cliente, 10m);
        var hmac = await EjecutarAsync("node", "-e \"const c=require('crypto');const t=Math.floor(Date.now()/1000);process.stdout.write('t='+t+',v1='+c.createHmac('sha256',process.env.SECRETO).update(t+'.'+process.env.CUERPO).digest('hex'))\"",
            new() { ["CUERPO"] = otro, ["SECRETO"] = HostPagos.SecretoAnterior });
        Assert.Equal(HttpStatusCode.OK, (await host.WebhookAsync(otro, hmac)).StatusCode);

        Assert.Equal(2, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE cliente_id = @cliente", new { cliente }));
    }
}
