using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Cuentas;
using Telecable.Infrastructure.Seguridad;

namespace Telecable.Functions.Http.Cuentas;

/// <summary>
/// Accounts of the development issuer: customer sign-up with a code through their channel, sign-in with lockout,
/// sign-out, password reset, and staff accounts managed by admin. Like POST /api/auth/token they answer 404 unless
/// Auth:EmisorDesarrollo is on: in Azure, Entra External ID runs these flows (docs/cuentas.md). The anonymous ones
/// spend the stricter per-address budget Limites:CuentasPorMinuto.
/// </summary>
public sealed class CuentasFunciones(Api api, OpcionesAuth op, ServicioCuentas cuentas)
{
    private const string MensajeEnviado =
        "Si los datos corresponden a un cliente o cuenta de Telecable, enviamos un código a su canal de contacto. Vence en 15 minutos.";

    private void Disponible()
    {
        if (!op.EmisorDesarrollo) throw new ErrorNoEncontrado("servicio de cuentas", "desarrollo");
    }

    /// <summary>POST /api/cuentas/registro (public): {email, password, canal: email|whatsapp} → 202, the same answer for any e-mail.</summary>
    [Function(nameof(RegistrarCuenta))]
    public Task<IActionResult> RegistrarCuenta(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cuentas/registro")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Cuentas, async l =>
        {
            Disponible();
            await cuentas.RegistrarClienteAsync(await l.LeerAsync<SolicitudRegistro>(), l.Cid, l.Ct);
            return Respuestas.Aceptado("/api/cuentas/verificacion", new { mensaje = MensajeEnviado });
        });

    /// <summary>POST /api/cuentas/verificacion (public): {usuario, codigo} → 200 once the account is active.</summary>
    [Function(nameof(VerificarCuenta))]
    public Task<IActionResult> VerificarCuenta(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cuentas/verificacion")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Cuentas, async l =>
        {
            Disponible();
            await cuentas.VerificarAsync(await l.LeerAsync<SolicitudVerificacion>(), l.Cid, l.Ct);
            return Respuestas.Ok(new { verificada = true, mensaje = "Su cuenta está activa. Ya puede iniciar sesión." });
        });

    /// <summary>POST /api/cuentas/sesion (public): {usuario, password} → 200 token (same claims as /api/auth/token plus sid);
    /// 401 wrong credentials; 423 locked; 403 not verified yet.</summary>
    [Function(nameof(IniciarSesion))]
    public Task<IActionResult> IniciarSesion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cuentas/sesion")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Cuentas, async l =>
        {
            Disponible();
            return await cuentas.IniciarSesionAsync(await l.LeerAsync<SolicitudSesion>(), l.Cid, l.Ct) switch
            {
                ResultadoAcceso.Concedido c => Respuestas.Ok(c.Sesion),
                ResultadoAcceso.Bloqueada b => Respuestas.Problema(423, "Cuenta bloqueada",
                    $"Demasiados intentos fallidos. Intente de nuevo en {Math.Max(1, (int)Math.Ceiling((b.Hasta - DateTimeOffset.UtcNow).TotalMinutes))} minutos o restablezca su contraseña.",
                    l.Cid, req.Path, codigo: "cuenta_bloqueada")
                    .Con("Retry-After", Math.Max(1, (int)Math.Ceiling((b.Hasta - DateTimeOffset.UtcNow).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ResultadoAcceso.SinVerificar => Respuestas.Problema(403, "Cuenta sin verificar",
                    "Escriba el código que le enviamos para activar su cuenta, o pida uno nuevo.", l.Cid, req.Path, codigo: "cuenta_sin_verificar"),
                _ => Respuestas.Problema(401, "No autenticado", "Usuario o contraseña incorrectos.", l.Cid, req.Path, codigo: "credenciales_invalidas"),
            };
        });

    /// <summary>POST /api/cuentas/sesion/cerrar (any signed-in account): the session's tokens stop working → 204.</summary>
    [Function(nameof(CerrarSesion))]
    public Task<IActionResult> CerrarSesion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cuentas/sesion/cerrar")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Para([.. Roles.Todos]), async l =>
        {
            if (l.UsuarioAutenticado.Sesion is { } sid) await cuentas.CerrarSesionAsync(sid, l.Ct);
            return Respuestas.SinContenido();
        });

    /// <summary>POST /api/cuentas/restablecimiento (public): {usuario} → 202, the same answer for any user.</summary>
    [Function(nameof(SolicitarRestablecimiento))]
    public Task<IActionResult> SolicitarRestablecimiento(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cuentas/restablecimiento")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Cuentas, async l =>
        {
            Disponible();
            await cuentas.SolicitarRestablecimientoAsync(await l.LeerAsync<SolicitudRestablecer>(), l.Cid, l.Ct);
            return Respuestas.Aceptado("/api/cuentas/restablecimiento/confirmacion", new { mensaje = MensajeEnviado });
        });

    /// <summary>POST /api/cuentas/restablecimiento/confirmacion (public): {usuario, codigo, password} → 200; closes every session.</summary>
    [Function(nameof(ConfirmarRestablecimiento))]
    public Task<IActionResult> ConfirmarRestablecimiento(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cuentas/restablecimiento/confirmacion")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Cuentas, async l =>
        {
            Disponible();
            await cuentas.ConfirmarRestablecimientoAsync(await l.LeerAsync<ConfirmacionRestablecer>(), l.Cid, l.Ct);
            return Respuestas.Ok(new { restablecida = true, mensaje = "Su contraseña cambió. Inicie sesión con la nueva." });
        });

    /// <summary>GET /api/cuentas/personal?pagina=&amp;tamano= (admin): staff accounts.</summary>
    [Function(nameof(ListarPersonal))]
    public Task<IActionResult> ListarPersonal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "cuentas/personal")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin), async l =>
        {
            Disponible();
            return Respuestas.Ok(await cuentas.ListarPersonalAsync(l.Paginacion(), l.Ct));
        });

    /// <summary>POST /api/cuentas/personal (admin; Idempotency-Key): {usuario, nombre, email, roles, tecnicoId?} → 201; the person gets
    /// an invitation code by e-mail to set a password.</summary>
    [Function(nameof(CrearPersonal))]
    public Task<IActionResult> CrearPersonal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cuentas/personal")] HttpRequest req) =>
        api.EjecutarIdempotenteAsync(req, Permiso.Para(Roles.Admin), async l =>
        {
            Disponible();
            var c = await cuentas.CrearPersonalAsync(await l.LeerAsync<SolicitudPersonal>(), l.UsuarioAutenticado, l.Cid, l.Ct);
            return Respuestas.Creado($"/api/cuentas/personal/{c.Id}", c);
        });

    /// <summary>PATCH /api/cuentas/personal/{id} (admin): {nombre?, roles?, activa?}; disabling closes the account's sessions.</summary>
    [Function(nameof(CambiarPersonal))]
    public Task<IActionResult> CambiarPersonal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "cuentas/personal/{id}")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin), async l =>
        {
            Disponible();
            return Respuestas.Ok(await cuentas.CambiarPersonalAsync(Peticion.Id(id), await l.LeerAsync<CambioPersonal>(), l.UsuarioAutenticado, l.Cid, l.Ct));
        });
}
