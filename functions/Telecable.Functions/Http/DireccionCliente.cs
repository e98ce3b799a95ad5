using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Telecable.Functions.Http;

/// <summary>
/// The client's address for per-address limits. X-Forwarded-For is honoured only when the connection comes
/// from a configured proxy (Proxies:Conocidos:N, an address or a CIDR network), walking the header from the
/// right as ASP.NET's ForwardedHeadersMiddleware does, at most Proxies:Saltos hops (1). Anything a client
/// writes in the header itself is ignored. The local host also runs that middleware with the same
/// <see cref="Opciones"/>; this explicit resolution is what makes the real Functions host behave the same.
/// </summary>
public sealed class DireccionCliente(IConfiguration config)
{
    public ForwardedHeadersOptions Opciones { get; } = CrearOpciones(config);

    /// <summary>ASP.NET's options from our settings; loopback is not trusted unless listed (the defaults trust it).</summary>
    public static ForwardedHeadersOptions CrearOpciones(IConfiguration config)
    {
        var o = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = int.TryParse(config["Proxies:Saltos"], out var saltos) && saltos > 0 ? saltos : 1,
        };
        o.KnownProxies.Clear();
        o.KnownIPNetworks.Clear();
        foreach (var texto in config.GetSection("Proxies:Conocidos").GetChildren().Select(c => c.Value?.Trim()).Where(v => !string.IsNullOrEmpty(v)))
        {
            if (texto!.Contains('/')) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(texto));
            else o.KnownProxies.Add(IPAddress.Parse(texto));
        }
        return o;
    }

    public string De(HttpContext ctx)
    {
        var actual = Normalizar(ctx.Connection.RemoteIpAddress);
        if (actual is null) return "desconocido";
        var saltos = ctx.Request.Headers["X-Forwarded-For"].ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var restantes = Opciones.ForwardLimit ?? int.MaxValue;
        for (var i = saltos.Length - 1; i >= 0 && restantes > 0 && EsProxy(actual); i--, restantes--)
        {
            if (!IPAddress.TryParse(saltos[i], out var anterior)) break;
            actual = Normalizar(anterior)!;
        }
        return actual.ToString();
    }

    private bool EsProxy(IPAddress ip) =>
        Opciones.KnownProxies.Contains(ip) || Opciones.KnownIPNetworks.Any(n => n.Contains(ip));

    private static IPAddress? Normalizar(IPAddress? ip) => ip is { IsIPv4MappedToIPv6: true } ? ip.MapToIPv4() : ip;
}
