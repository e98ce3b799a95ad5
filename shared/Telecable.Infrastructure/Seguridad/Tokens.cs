using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Telecable.Domain.Comun;

namespace Telecable.Infrastructure.Seguridad;

/// <summary>Outcome of reading a bearer token.</summary>
public abstract record Autenticacion
{
    public sealed record Valida(Usuario Usuario) : Autenticacion;
    public sealed record Ausente : Autenticacion;
    public sealed record Invalida(string Motivo) : Autenticacion;
}

/// <summary>Whether a sign-in session (the token's sid claim) is still open; the accounts service answers it.</summary>
public interface IRegistroSesiones
{
    Task<bool> VigenteAsync(Guid sesion, CancellationToken ct);
}

/// <summary>
/// Validates bearer JWTs: Entra ID (keys from its OpenID metadata) in Azure, or the development
/// issuer's HMAC keys locally. Claims used: sub, name, roles, cliente_id, tecnico_id.
/// </summary>
public sealed class ValidadorTokens
{
    private readonly OpcionesAuth _op;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _metadatos;
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _metadatosClientes;
    private readonly SymmetricSecurityKey[] _clavesLocales;

    private readonly IRegistroSesiones? _sesiones;

    public ValidadorTokens(OpcionesAuth op, IRegistroSesiones? sesiones = null)
    {
        _op = op;
        _sesiones = sesiones;
        _clavesLocales = op.SigningKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(Clave).ToArray();
        if (!string.IsNullOrWhiteSpace(op.Authority))
        {
            _metadatos = new ConfigurationManager<OpenIdConnectConfiguration>(
                op.Authority.TrimEnd('/') + "/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever());
            if (!string.IsNullOrWhiteSpace(op.AuthorityClientes))
                _metadatosClientes = new ConfigurationManager<OpenIdConnectConfiguration>(
                    op.AuthorityClientes.TrimEnd('/') + "/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever());
        }
        else if (_clavesLocales.Length == 0)
            throw new InvalidOperationException("Auth: configure Authority (Entra ID) or at least one SigningKeys entry.");
    }

    internal static SymmetricSecurityKey Clave(string texto)
    {
        var bytes = Encoding.UTF8.GetBytes(texto);
        if (bytes.Length < 32) throw new InvalidOperationException("Auth:SigningKeys: each key needs at least 32 bytes.");
        return new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexString(SHA256.HashData(bytes))[..16] };
    }

    public async Task<Autenticacion> AutenticarAsync(string? encabezadoAuthorization, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(encabezadoAuthorization)) return new Autenticacion.Ausente();
        if (!encabezadoAuthorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return new Autenticacion.Invalida("El encabezado Authorization debe ser 'Bearer <token>'.");
        var token = encabezadoAuthorization[7..].Trim();

        var parametros = new TokenValidationParameters
        {
            ValidIssuer = _op.Issuer,
            ValidAudience = _op.Audience,
            ClockSkew = TimeSpan.FromMinutes(1),
            RequireExpirationTime = true,
            RoleClaimType = "roles",
            NameClaimType = "name",
        };
        if (_metadatos is not null)
        {
            var config = await _metadatos.GetConfigurationAsync(ct);
            parametros.ValidIssuer = config.Issuer;
            parametros.IssuerSigningKeys = config.SigningKeys;
            if (_metadatosClientes is not null)
            {
                // Customers' tokens come from the External ID tenant: its issuer and keys are valid too.
                var clientes = await _metadatosClientes.GetConfigurationAsync(ct);
                parametros.ValidIssuers = [config.Issuer, clientes.Issuer];
                parametros.IssuerSigningKeys = [.. config.SigningKeys, .. clientes.SigningKeys];
            }
        }
        else
        {
            parametros.IssuerSigningKeys = _clavesLocales;
            parametros.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }

        var resultado = await _handler.ValidateTokenAsync(token, parametros);
        if (!resultado.IsValid) return new Autenticacion.Invalida("El token no es válido o expiró.");
        var usuario = Leer(resultado.ClaimsIdentity);
        // A token of a closed session (sign-out, password reset, account disabled) dies with it, before its exp.
        // Only the development issuer's sessions live here; Entra's own sid claim is Entra's business.
        if (usuario.Sesion is { } sid && _metadatos is null && _sesiones is not null && !await _sesiones.VigenteAsync(sid, ct))
            return new Autenticacion.Invalida("La sesión se cerró o expiró; inicie sesión de nuevo.");
        return new Autenticacion.Valida(usuario);
    }

    private static Usuario Leer(ClaimsIdentity id)
    {
        var roles = id.FindAll("roles").Select(c => c.Value).Where(Roles.Todos.Contains).ToHashSet(StringComparer.Ordinal);
        return new Usuario(
            id.FindFirst("sub")?.Value ?? "",
            id.FindFirst("name")?.Value ?? "",
            roles,
            Guid.TryParse(id.FindFirst("cliente_id")?.Value, out var c) ? c : null,
            Guid.TryParse(id.FindFirst("tecnico_id")?.Value, out var t) ? t : null)
        {
            Sesion = Guid.TryParse(id.FindFirst("sid")?.Value, out var s) ? s : null,
        };
    }
}

/// <summary>The local development issuer: signs tokens for the demo users with the first configured key.</summary>
public sealed class EmisorDesarrollo(OpcionesAuth op, TimeProvider reloj)
{
    private readonly JsonWebTokenHandler _handler = new();

    public string Emitir(UsuariosDemo.UsuarioDemo u) => Emitir(u, null, op.Vigencia);

    /// <summary>A token for an account of the accounts service: its session id travels as sid and it lives as long as the session.</summary>
    public string Emitir(UsuariosDemo.UsuarioDemo u, Guid? sesion, TimeSpan vigencia)
    {
        var ahora = reloj.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = u.Usuario,
            ["name"] = u.Nombre,
            ["roles"] = u.Roles,
        };
        if (u.ClienteId is { } c) claims["cliente_id"] = c.ToString();
        if (u.TecnicoId is { } t) claims["tecnico_id"] = t.ToString();
        if (sesion is { } sid) claims["sid"] = sid.ToString();
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = op.Issuer,
            Audience = op.Audience,
            IssuedAt = ahora,
            NotBefore = ahora,
            Expires = ahora + vigencia,
            Claims = claims,
            SigningCredentials = new SigningCredentials(ValidadorTokens.Clave(op.SigningKeys[0]), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Checks a demo user's password in constant time.</summary>
    public UsuariosDemo.UsuarioDemo? Autenticar(string? usuario, string? password)
    {
        var u = UsuariosDemo.Todos.FirstOrDefault(x => x.Usuario == usuario);
        var esperado = Encoding.UTF8.GetBytes(op.DemoPassword ?? "");
        var recibido = Encoding.UTF8.GetBytes(password ?? "");
        var coincide = esperado.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(esperado), SHA256.HashData(recibido));
        return u is not null && coincide ? u : null;
    }
}
