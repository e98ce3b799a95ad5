using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Seguridad;

namespace Telecable.Functions.Http.Plataforma;

public sealed record SolicitudToken(string? Usuario, string? Password);
public sealed record TokenEmitido(string AccessToken, string TokenType, int ExpiresIn, string Usuario, string[] Roles, Guid? ClienteId, Guid? TecnicoId);

/// <summary>
/// POST /api/auth/token: the local development issuer for the demo users. Public, and answers 404 unless
/// Auth:EmisorDesarrollo is on (it is never on in Azure, where Entra ID issues the tokens).
/// </summary>
public sealed class AuthFunciones(Api api, OpcionesAuth op, EmisorDesarrollo emisor)
{
    [Function(nameof(EmitirToken))]
    public Task<IActionResult> EmitirToken(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/token")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Publica, async l =>
        {
            if (!op.EmisorDesarrollo) throw new ErrorNoEncontrado("emisor de tokens", "desarrollo");
            var s = await l.LeerAsync<SolicitudToken>();
            new Validador().Requerido(s.Usuario, "usuario", 50).Requerido(s.Password, "password", 200).Lanzar();
            var u = emisor.Autenticar(s.Usuario, s.Password);
            if (u is null)
                return Respuestas.Problema(401, "No autenticado", "Usuario o contraseña incorrectos.", l.Cid, req.Path);
            return Respuestas.Ok(new TokenEmitido(emisor.Emitir(u), "Bearer", (int)op.Vigencia.TotalSeconds, u.Usuario, u.Roles, u.ClienteId, u.TecnicoId));
        });

    /// <summary>GET /api/auth/yo: who the token says the caller is (any role). Portals use it after sign-in.</summary>
    [Function(nameof(QuienSoy))]
    public Task<IActionResult> QuienSoy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "auth/yo")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Para([.. Roles.Todos]), l =>
        {
            var u = l.UsuarioAutenticado;
            return Task.FromResult<IActionResult>(Respuestas.Ok(new { u.Sujeto, u.Nombre, Roles = u.Roles.Order().ToArray(), u.ClienteId, u.TecnicoId }));
        });
}
