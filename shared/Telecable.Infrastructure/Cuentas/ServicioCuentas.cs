using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Domain.Cuentas;
using Telecable.Domain.Identidad;
using Telecable.Infrastructure.Seguridad;
using ErrorValidacion = Telecable.Domain.Comun.ErrorValidacion;
using PaginaCuentas = Telecable.Application.Comun.Pagina<Telecable.Infrastructure.Cuentas.CuentaPersonal>;

namespace Telecable.Infrastructure.Cuentas;

/// <summary>Section "Cuentas": the accounts the development issuer serves.</summary>
public sealed class OpcionesCuentas
{
    public const string Seccion = "Cuentas";

    /// <summary>How long a sign-in lasts (the token's exp and the session row's expira_en).</summary>
    public int VigenciaSesionMinutos { get; set; } = 60;
}

public sealed record SolicitudRegistro(string? Email, string? Password, string? Canal);
public sealed record SolicitudVerificacion(string? Usuario, string? Codigo);
public sealed record SolicitudSesion(string? Usuario, string? Password);
public sealed record SolicitudRestablecer(string? Usuario);
public sealed record ConfirmacionRestablecer(string? Usuario, string? Codigo, string? Password);
public sealed record SolicitudPersonal(string? Usuario, string? Nombre, string? Email, string[]? Roles, Guid? TecnicoId);
public sealed record CambioPersonal(string? Nombre, string[]? Roles, bool? Activa);

public sealed record SesionIniciada(string AccessToken, string TokenType, int ExpiresIn, string Usuario, string Nombre, string[] Roles,
    Guid? ClienteId, Guid? TecnicoId);

public sealed record CuentaPersonal
{
    public Guid Id { get; init; }
    public string Usuario { get; init; } = "";
    public string Nombre { get; init; } = "";
    public string[] Roles { get; init; } = [];
    public string Estado { get; init; } = "";
    public string Destino { get; init; } = "";
    public Guid? TecnicoId { get; init; }
    public DateTime? UltimoAcceso { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>The outcome of a sign-in attempt.</summary>
public abstract record ResultadoAcceso
{
    public sealed record Concedido(SesionIniciada Sesion) : ResultadoAcceso;
    /// <summary>Unknown user, wrong password or disabled account: one answer for all, so accounts can't be enumerated.</summary>
    public sealed record Rechazado : ResultadoAcceso;
    public sealed record Bloqueada(DateTimeOffset Hasta) : ResultadoAcceso;
    public sealed record SinVerificar : ResultadoAcceso;
}

/// <summary>
/// Customer and staff accounts: sign-up (the customer proves the e-mail or WhatsApp on file with a one-time code),
/// sign-in with lockout, sessions that expire or are closed, password reset, staff managed by admin. Passwords are
/// hashed by ASP.NET Core Identity's PasswordHasher (PBKDF2-HMAC-SHA512, salted, versioned, from the shared framework);
/// codes are kept only as hashes and compared in constant time. Every change also lands in eventos_sistema.
/// </summary>
public sealed partial class ServicioCuentas(NpgsqlDataSource db, EmisorDesarrollo emisor, IOptions<OpcionesCuentas> opciones,
    TimeProvider reloj, ILogger<ServicioCuentas> log) : IRegistroSesiones
{
    public const string PropositoVerificacion = "verificacion";
    public const string PropositoRestablecimiento = "restablecimiento";

    private static readonly Counter<long> Accesos = Telemetria.Medidor.CreateCounter<long>(
        "telecable.cuentas.accesos", "{intento}", "Sign-in attempts by outcome (concedido, rechazado, bloqueada, sin_verificar)");
    private static readonly Counter<long> Codigos = Telemetria.Medidor.CreateCounter<long>(
        "telecable.cuentas.codigos", "{codigo}", "One-time codes sent, by purpose");
    private static readonly Counter<long> Bloqueos = Telemetria.Medidor.CreateCounter<long>(
        "telecable.cuentas.bloqueos", "{cuenta}", "Accounts locked after repeated failed sign-ins");

    private static readonly string[] RolesPersonal = [Roles.Admin, Roles.Soporte, Roles.Cobranzas, Roles.Tecnico];

    private readonly PasswordHasher<string> _hasher = new();

    // Verified against when the user does not exist, so an unknown user costs the same time as a wrong password.
    private readonly Lazy<string> _hashSenuelo = new(() => new PasswordHasher<string>().HashPassword("", Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{2,49}$")]
    private static partial Regex UsuarioPersonal();

    private TimeSpan VigenciaSesion => TimeSpan.FromMinutes(Math.Clamp(opciones.Value.VigenciaSesionMinutos, 5, 24 * 60));

    // ------------------------------------------------------------------ customers

    /// <summary>
    /// Sign-up of a customer who already is one (their onboarding created the customer record): the e-mail on file, a
    /// password and the channel for the code. The answer is the same whether or not the e-mail belongs to a customer.
    /// </summary>
    public async Task RegistrarClienteAsync(SolicitudRegistro s, string cid, CancellationToken ct)
    {
        var v = new Validador();
        var email = Email.Validar(s.Email, "email");
        foreach (var e in email.Errores) v.Agregar(new ErrorCampo("email", e.Mensaje));
        var canal = string.IsNullOrWhiteSpace(s.Canal) ? "email" : s.Canal.Trim();
        v.Regla(canal is "email" or "whatsapp", "canal", "Use email o whatsapp.");
        foreach (var e in ReglasCuentas.ValidarPassword(s.Password, s.Email)) v.Agregar(e);
        v.Lanzar();
        var usuario = email.Valor!.Valor.ToLowerInvariant();

        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var cliente = await cn.QuerySingleOrDefaultAsync<(Guid Id, string Nombre, string Email, string Telefono)>(new CommandDefinition("""
            SELECT c.id, c.nombre, c.email, c.telefono FROM clientes c
            WHERE lower(c.email) = @usuario AND c.estado <> 'baja'
            ORDER BY (EXISTS (SELECT 1 FROM cuentas k WHERE k.cliente_id = c.id)), c.created_at DESC LIMIT 1
            """, new { usuario }, tx, cancellationToken: ct));
        if (cliente.Id == Guid.Empty)
        {
            log.LogInformation("Registro de cuenta sin cliente con ese correo; no se envía código");
            await tx.CommitAsync(ct);
            return;
        }

        var destino = canal == "email" ? cliente.Email : cliente.Telefono;
        var existente = await cn.QuerySingleOrDefaultAsync<(Guid Id, string Estado, Guid? ClienteId)>(new CommandDefinition(
            "SELECT id, estado, cliente_id FROM cuentas WHERE usuario = @usuario OR cliente_id = @Id FOR UPDATE",
            new { usuario, cliente.Id }, tx, cancellationToken: ct));
        if (existente.Id != Guid.Empty && (existente.Estado != "pendiente_verificacion" || existente.ClienteId != cliente.Id))
        {
            // Already has an account (or the name belongs to someone else): tell the channel on file, change nothing.
            await NotificarAsync(cn, tx, cliente.Id, canal, destino, "cuenta_existente", "Ya tienes una cuenta Telecable",
                $"Hola {cliente.Nombre}: alguien intentó crear una cuenta con este correo, pero ya tienes una. Si olvidaste tu contraseña, usa \"Olvidé mi contraseña\" en el portal.",
                cid, ct);
            await tx.CommitAsync(ct);
            return;
        }

        var hash = _hasher.HashPassword(usuario, s.Password!);
        Guid cuentaId;
        if (existente.Id == Guid.Empty)
        {
            // A concurrent sign-up of the same customer won the insert: that one sends the code.
            var nueva = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
                INSERT INTO cuentas (usuario, tipo, nombre, roles, cliente_id, password_hash, canal, destino)
                VALUES (@usuario, 'cliente', @Nombre, ARRAY['cliente'], @Id, @hash, @canal, @destino) ON CONFLICT DO NOTHING RETURNING id
                """, new { usuario, cliente.Nombre, cliente.Id, hash, canal, destino }, tx, cancellationToken: ct));
            if (nueva is null)
            {
                await tx.CommitAsync(ct);
                return;
            }
            cuentaId = nueva.Value;
        }
        else
        {
            cuentaId = existente.Id;
            await cn.ExecuteAsync(new CommandDefinition("""
                UPDATE cuentas SET password_hash = @hash, canal = @canal, destino = @destino, version = version + 1 WHERE id = @cuentaId
                """, new { cuentaId, hash, canal, destino }, tx, cancellationToken: ct));
        }

        var codigo = await EmitirCodigoAsync(cn, tx, cuentaId, PropositoVerificacion, ct);
        await NotificarAsync(cn, tx, cliente.Id, canal, destino, "cuenta_verificacion", "Tu código de verificación Telecable",
            $"Hola {cliente.Nombre}: tu código para activar tu cuenta Telecable es {codigo}. Vence en {ReglasCuentas.VigenciaCodigo.TotalMinutes:0} minutos. Si no lo pediste, ignora este mensaje.",
            cid, ct);
        await EventoAsync(cn, tx, "cuenta_registrada", cliente.Id, "portal_cliente", cid, new { cuentaId, canal }, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Activates an account with the code sent at sign-up. Any failure is the same 400 on the field codigo.</summary>
    public async Task VerificarAsync(SolicitudVerificacion s, string cid, CancellationToken ct)
    {
        var (usuario, codigo) = ValidarCodigo(s.Usuario, s.Codigo);
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var cuenta = await CuentaParaActualizarAsync(cn, tx, usuario, ct);
        var valido = cuenta is { Estado: "pendiente_verificacion" }
            && await ConsumirCodigoAsync(cn, tx, cuenta.Id, PropositoVerificacion, codigo, ct);
        if (valido)
        {
            await cn.ExecuteAsync(new CommandDefinition(
                "UPDATE cuentas SET estado = 'activa', version = version + 1 WHERE id = @Id", new { cuenta!.Id }, tx, cancellationToken: ct));
            await EventoAsync(cn, tx, "cuenta_verificada", cuenta.ClienteId, cuenta.Usuario, cid, new { cuentaId = cuenta.Id }, ct);
        }
        await tx.CommitAsync(ct); // also when invalid: the failed attempt on the code must count
        if (!valido) throw CodigoInvalido();
    }

    // ------------------------------------------------------------------ sign-in

    /// <summary>
    /// Sign-in for customers and staff. <see cref="ReglasCuentas.FallosParaBloqueo"/> failures in a row lock the account for
    /// <see cref="ReglasCuentas.DuracionBloqueo"/>; a locked account does not even check the password.
    /// </summary>
    public async Task<ResultadoAcceso> IniciarSesionAsync(SolicitudSesion s, string cid, CancellationToken ct)
    {
        new Validador().Requerido(s.Usuario, "usuario", 254).Requerido(s.Password, "password", ReglasCuentas.LongitudMaximaPassword).Lanzar();
        var usuario = s.Usuario!.Trim().ToLowerInvariant();
        var ahora = reloj.GetUtcNow();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var cuenta = await CuentaParaActualizarAsync(cn, tx, usuario, ct);
        ResultadoAcceso resultado;
        if (cuenta is null || cuenta.PasswordHash is null)
        {
            _hasher.VerifyHashedPassword("", _hashSenuelo.Value, s.Password!);
            resultado = new ResultadoAcceso.Rechazado();
        }
        else if (ReglasCuentas.EstaBloqueada(cuenta.BloqueadaHasta, ahora))
        {
            resultado = new ResultadoAcceso.Bloqueada(cuenta.BloqueadaHasta!.Value);
        }
        else
        {
            var verificacion = _hasher.VerifyHashedPassword(cuenta.Usuario, cuenta.PasswordHash, s.Password!);
            if (verificacion == PasswordVerificationResult.Failed)
            {
                var (intentos, hasta) = ReglasCuentas.TrasFallo(cuenta.IntentosFallidos, ahora);
                await cn.ExecuteAsync(new CommandDefinition(
                    "UPDATE cuentas SET intentos_fallidos = @intentos, bloqueada_hasta = coalesce(@hasta, bloqueada_hasta) WHERE id = @Id",
                    new { intentos, hasta, cuenta.Id }, tx, cancellationToken: ct));
                if (hasta is { } h)
                {
                    Bloqueos.Add(1);
                    log.LogWarning("Cuenta {CuentaId} bloqueada hasta {Hasta} tras {Fallos} intentos fallidos", cuenta.Id, h, ReglasCuentas.FallosParaBloqueo);
                    await EventoAsync(cn, tx, "cuenta_bloqueada", cuenta.ClienteId, "sistema", cid, new { cuentaId = cuenta.Id, hasta = h }, ct);
                    resultado = new ResultadoAcceso.Bloqueada(h);
                }
                else resultado = new ResultadoAcceso.Rechazado();
            }
            else if (cuenta.Estado == "desactivada")
            {
                resultado = new ResultadoAcceso.Rechazado();
            }
            else if (cuenta.Estado == "pendiente_verificacion")
            {
                resultado = new ResultadoAcceso.SinVerificar();
            }
            else
            {
                var nuevoHash = verificacion == PasswordVerificationResult.SuccessRehashNeeded
                    ? _hasher.HashPassword(cuenta.Usuario, s.Password!) : null;
                var sesion = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
                    INSERT INTO sesiones (cuenta_id, creada_en, expira_en, cid) VALUES (@Id, @ahora, @expira, @cid) RETURNING id
                    """, new { cuenta.Id, ahora, expira = ahora + VigenciaSesion, cid }, tx, cancellationToken: ct));
                await cn.ExecuteAsync(new CommandDefinition("""
                    UPDATE cuentas SET intentos_fallidos = 0, bloqueada_hasta = NULL, ultimo_acceso = @ahora,
                           password_hash = coalesce(@nuevoHash, password_hash)
                    WHERE id = @Id
                    """, new { cuenta.Id, ahora, nuevoHash }, tx, cancellationToken: ct));
                var u = new UsuariosDemo.UsuarioDemo(cuenta.Usuario, cuenta.Nombre, cuenta.Roles, cuenta.ClienteId, cuenta.TecnicoId);
                resultado = new ResultadoAcceso.Concedido(new SesionIniciada(emisor.Emitir(u, sesion, VigenciaSesion), "Bearer",
                    (int)VigenciaSesion.TotalSeconds, cuenta.Usuario, cuenta.Nombre, cuenta.Roles, cuenta.ClienteId, cuenta.TecnicoId));
            }
        }
        await tx.CommitAsync(ct);
        Accesos.Add(1, new KeyValuePair<string, object?>("resultado", resultado switch
        {
            ResultadoAcceso.Concedido => "concedido",
            ResultadoAcceso.Bloqueada => "bloqueada",
            ResultadoAcceso.SinVerificar => "sin_verificar",
            _ => "rechazado",
        }));
        return resultado;
    }

    /// <summary>Sign-out: the session's tokens stop working at once.</summary>
    public async Task CerrarSesionAsync(Guid sesion, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition("UPDATE sesiones SET cerrada_en = @ahora WHERE id = @sesion AND cerrada_en IS NULL",
            new { sesion, ahora = reloj.GetUtcNow() }, cancellationToken: ct));
    }

    public async Task<bool> VigenteAsync(Guid sesion, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM sesiones s JOIN cuentas c ON c.id = s.cuenta_id
                           WHERE s.id = @sesion AND s.cerrada_en IS NULL AND s.expira_en > @ahora AND c.estado = 'activa')
            """, new { sesion, ahora = reloj.GetUtcNow() }, cancellationToken: ct));
    }

    // ------------------------------------------------------------------ password reset

    /// <summary>Sends a reset code to the account's channel; the answer is the same whether the account exists or not.</summary>
    public async Task SolicitarRestablecimientoAsync(SolicitudRestablecer s, string cid, CancellationToken ct)
    {
        new Validador().Requerido(s.Usuario, "usuario", 254).Lanzar();
        var usuario = s.Usuario!.Trim().ToLowerInvariant();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var cuenta = await CuentaParaActualizarAsync(cn, tx, usuario, ct);
        if (cuenta is not null && cuenta.Estado != "desactivada")
        {
            var codigo = await EmitirCodigoAsync(cn, tx, cuenta.Id, PropositoRestablecimiento, ct);
            await NotificarAsync(cn, tx, cuenta.ClienteId, cuenta.Canal, cuenta.Destino, "cuenta_restablecimiento", "Restablece tu contraseña Telecable",
                $"Hola {cuenta.Nombre}: tu código para restablecer tu contraseña es {codigo}. Vence en {ReglasCuentas.VigenciaCodigo.TotalMinutes:0} minutos. Si no lo pediste, ignora este mensaje; tu contraseña no cambia.",
                cid, ct);
            await EventoAsync(cn, tx, "restablecimiento_solicitado", cuenta.ClienteId, cuenta.Usuario, cid, new { cuentaId = cuenta.Id }, ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Sets a new password with a reset (or staff invitation) code: lifts a lock, activates a pending account (the code
    /// proves the channel) and closes every open session.
    /// </summary>
    public async Task ConfirmarRestablecimientoAsync(ConfirmacionRestablecer s, string cid, CancellationToken ct)
    {
        var (usuario, codigo) = ValidarCodigo(s.Usuario, s.Codigo, ReglasCuentas.ValidarPassword(s.Password, s.Usuario));
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var cuenta = await CuentaParaActualizarAsync(cn, tx, usuario, ct);
        var valido = cuenta is not null && cuenta.Estado != "desactivada"
            && await ConsumirCodigoAsync(cn, tx, cuenta.Id, PropositoRestablecimiento, codigo, ct);
        if (valido)
        {
            var ahora = reloj.GetUtcNow();
            await cn.ExecuteAsync(new CommandDefinition("""
                UPDATE cuentas SET password_hash = @hash, estado = 'activa', intentos_fallidos = 0, bloqueada_hasta = NULL, version = version + 1
                WHERE id = @Id
                """, new { hash = _hasher.HashPassword(cuenta!.Usuario, s.Password!), cuenta.Id }, tx, cancellationToken: ct));
            await cn.ExecuteAsync(new CommandDefinition(
                "UPDATE sesiones SET cerrada_en = @ahora WHERE cuenta_id = @Id AND cerrada_en IS NULL", new { cuenta.Id, ahora }, tx, cancellationToken: ct));
            await EventoAsync(cn, tx, "password_restablecido", cuenta.ClienteId, cuenta.Usuario, cid, new { cuentaId = cuenta.Id }, ct);
        }
        await tx.CommitAsync(ct);
        if (!valido) throw CodigoInvalido();
    }

    // ------------------------------------------------------------------ staff (admin)

    /// <summary>A staff account: the person gets an invitation code by e-mail and sets their own password with it.</summary>
    public async Task<CuentaPersonal> CrearPersonalAsync(SolicitudPersonal s, Usuario admin, string cid, CancellationToken ct)
    {
        var usuario = s.Usuario?.Trim().ToLowerInvariant();
        var v = new Validador()
            .Requerido(usuario, "usuario", 50)
            .Requerido(s.Nombre, "nombre", 254)
            .Regla(usuario is null || UsuarioPersonal().IsMatch(usuario), "usuario",
                "De 3 a 50 caracteres: letras minúsculas, dígitos, punto, guion o guion bajo.")
            .Regla(s.Roles is { Length: > 0 } && s.Roles.All(RolesPersonal.Contains), "roles",
                $"Indique uno o más de: {string.Join(", ", RolesPersonal)}.")
            .Regla(s.TecnicoId is null || s.Roles?.Contains(Roles.Tecnico) == true, "tecnicoId", "Solo aplica con el rol tecnico.")
            .Regla(s.Roles?.Contains(Roles.Tecnico) != true || s.TecnicoId is not null, "tecnicoId", "El rol tecnico requiere el técnico de la cuadrilla.");
        var email = Email.Validar(s.Email, "email");
        foreach (var e in email.Errores) v.Agregar(new ErrorCampo("email", e.Mensaje));
        v.Lanzar();

        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        if (s.TecnicoId is { } tid && !await cn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM tecnicos WHERE id = @tid)", new { tid }, tx, cancellationToken: ct)))
            throw new ErrorValidacion("tecnicoId", "No existe ese técnico.");
        var id = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            INSERT INTO cuentas (usuario, tipo, nombre, roles, tecnico_id, canal, destino)
            VALUES (@usuario, 'personal', @nombre, @roles, @TecnicoId, 'email', @destino)
            ON CONFLICT (usuario) DO NOTHING RETURNING id
            """, new { usuario, nombre = s.Nombre!.Trim(), roles = s.Roles!.Distinct().ToArray(), s.TecnicoId, destino = email.Valor!.Valor },
            tx, cancellationToken: ct))
            ?? throw new ErrorConflicto($"Ya existe una cuenta con el usuario '{usuario}'.", "usuario_existente");
        var codigo = await EmitirCodigoAsync(cn, tx, id, PropositoRestablecimiento, ct);
        await NotificarAsync(cn, tx, null, "email", email.Valor.Valor, "cuenta_invitacion", "Tu cuenta de personal Telecable",
            $"Hola {s.Nombre!.Trim()}: se creó tu cuenta '{usuario}'. Para definir tu contraseña usa \"Olvidé mi contraseña\" con el código {codigo} (vence en {ReglasCuentas.VigenciaCodigo.TotalMinutes:0} minutos; después pide otro).",
            cid, ct);
        await EventoAsync(cn, tx, "cuenta_personal_creada", null, admin.Sujeto, cid, new { cuentaId = id, usuario, roles = s.Roles }, ct, id.ToString());
        await tx.CommitAsync(ct);
        return (await ObtenerPersonalAsync(id, ct))!;
    }

    public async Task<PaginaCuentas> ListarPersonalAsync(Telecable.Application.Comun.Paginacion pagina, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await Datos.Paginado.LeerAsync<CuentaPersonal>(cn, SqlPersonal, "nombre, usuario", null, pagina, ct);
    }

    /// <summary>Renames, changes roles, disables (closing its sessions) or re-enables a staff account.</summary>
    public async Task<CuentaPersonal> CambiarPersonalAsync(Guid id, CambioPersonal c, Usuario admin, string cid, CancellationToken ct)
    {
        new Validador()
            .Regla(c.Roles is null || (c.Roles.Length > 0 && c.Roles.All(RolesPersonal.Contains)), "roles", $"Indique uno o más de: {string.Join(", ", RolesPersonal)}.")
            .Regla(c.Nombre is null || (c.Nombre.Trim().Length is > 0 and <= 254), "nombre", "Entre 1 y 254 caracteres.")
            .Regla(c.Activa != false || id != await CuentaDeAsync(admin.Sujeto, ct), "activa", "No puede desactivar su propia cuenta.")
            .Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var n = await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE cuentas SET nombre = coalesce(@Nombre, nombre), roles = coalesce(@Roles, roles),
                   estado = CASE WHEN @Activa IS NULL THEN estado
                                 WHEN @Activa AND estado = 'desactivada' THEN CASE WHEN password_hash IS NULL THEN 'pendiente_verificacion' ELSE 'activa' END
                                 WHEN NOT @Activa THEN 'desactivada' ELSE estado END,
                   version = version + 1
            WHERE id = @id AND tipo = 'personal'
            """, new { id, Nombre = c.Nombre?.Trim(), Roles = c.Roles?.Distinct().ToArray(), c.Activa }, tx, cancellationToken: ct));
        if (n == 0) throw new ErrorNoEncontrado("cuenta de personal", id.ToString());
        if (c.Activa == false)
            await cn.ExecuteAsync(new CommandDefinition("UPDATE sesiones SET cerrada_en = @ahora WHERE cuenta_id = @id AND cerrada_en IS NULL",
                new { id, ahora = reloj.GetUtcNow() }, tx, cancellationToken: ct));
        await EventoAsync(cn, tx, "cuenta_personal_cambiada", null, admin.Sujeto, cid, new { cuentaId = id, c.Nombre, c.Roles, c.Activa }, ct, id.ToString());
        await tx.CommitAsync(ct);
        return (await ObtenerPersonalAsync(id, ct))!;
    }

    private async Task<Guid?> CuentaDeAsync(string usuario, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("SELECT id FROM cuentas WHERE usuario = @usuario", new { usuario }, cancellationToken: ct));
    }

    private const string SqlPersonal = """
        SELECT id, usuario, nombre, roles, estado, destino, tecnico_id AS tecnicoid, ultimo_acceso AS ultimoacceso, created_at AS createdat
        FROM cuentas WHERE tipo = 'personal'
        """;

    private async Task<CuentaPersonal?> ObtenerPersonalAsync(Guid id, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.QuerySingleOrDefaultAsync<CuentaPersonal>(new CommandDefinition(SqlPersonal + " AND id = @id", new { id }, cancellationToken: ct));
    }

    // ------------------------------------------------------------------ helpers

    private sealed record Cuenta
    {
        public Guid Id { get; init; }
        public string Usuario { get; init; } = "";
        public string Nombre { get; init; } = "";
        public string[] Roles { get; init; } = [];
        public Guid? ClienteId { get; init; }
        public Guid? TecnicoId { get; init; }
        public string? PasswordHash { get; init; }
        public string Estado { get; init; } = "";
        public string Canal { get; init; } = "";
        public string Destino { get; init; } = "";
        public int IntentosFallidos { get; init; }
        public DateTime? BloqueadaHastaUtc { get; init; }
        public DateTimeOffset? BloqueadaHasta => FechasDb.Utc(BloqueadaHastaUtc);
    }

    private static async Task<Cuenta?> CuentaParaActualizarAsync(NpgsqlConnection cn, NpgsqlTransaction tx, string usuario, CancellationToken ct) =>
        await cn.QuerySingleOrDefaultAsync<Cuenta>(new CommandDefinition("""
            SELECT id, usuario, nombre, roles, cliente_id AS clienteid, tecnico_id AS tecnicoid, password_hash AS passwordhash, estado, canal, destino,
                   intentos_fallidos AS intentosfallidos, bloqueada_hasta AS bloqueadahastautc
            FROM cuentas WHERE usuario = @usuario FOR UPDATE
            """, new { usuario }, tx, cancellationToken: ct));

    private static (string Usuario, string Codigo) ValidarCodigo(string? usuario, string? codigo, IReadOnlyList<ErrorCampo>? otros = null)
    {
        var normalizado = ReglasCuentas.NormalizarCodigo(codigo);
        var v = new Validador().Requerido(usuario, "usuario", 254)
            .Regla(normalizado is not null, "codigo", $"El código tiene {ReglasCuentas.DigitosCodigo} dígitos.");
        foreach (var e in otros ?? []) v.Agregar(e);
        v.Lanzar();
        return (usuario!.Trim().ToLowerInvariant(), normalizado!);
    }

    private static ErrorValidacion CodigoInvalido() =>
        new("codigo", "El código no es válido o ya venció. Revise el último mensaje que le enviamos o pida uno nuevo.");

    private static byte[] HashCodigo(Guid cuentaId, string proposito, string codigo) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{cuentaId:N}:{proposito}:{codigo}"));

    /// <summary>A fresh code (older ones of the same purpose die), returned in clear only to be sent.</summary>
    private async Task<string> EmitirCodigoAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid cuentaId, string proposito, CancellationToken ct)
    {
        var codigo = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var ahora = reloj.GetUtcNow();
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE cuentas_codigos SET anulado_en = @ahora WHERE cuenta_id = @cuentaId AND proposito = @proposito AND usado_en IS NULL AND anulado_en IS NULL
            """, new { cuentaId, proposito, ahora }, tx, cancellationToken: ct));
        await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO cuentas_codigos (cuenta_id, proposito, codigo_hash, expira_en, created_at) VALUES (@cuentaId, @proposito, @hash, @expira, @ahora)
            """, new { cuentaId, proposito, hash = HashCodigo(cuentaId, proposito, codigo), expira = ahora + ReglasCuentas.VigenciaCodigo, ahora },
            tx, cancellationToken: ct));
        Codigos.Add(1, new KeyValuePair<string, object?>("proposito", proposito));
        return codigo;
    }

    /// <summary>Checks the newest live code in constant time; a wrong guess is counted and the code dies after the limit.</summary>
    private async Task<bool> ConsumirCodigoAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid cuentaId, string proposito, string codigo, CancellationToken ct)
    {
        var ahora = reloj.GetUtcNow();
        var fila = await cn.QuerySingleOrDefaultAsync<(Guid Id, byte[] Hash, int Intentos, DateTime ExpiraEn)>(new CommandDefinition("""
            SELECT id, codigo_hash, intentos, expira_en FROM cuentas_codigos
            WHERE cuenta_id = @cuentaId AND proposito = @proposito AND usado_en IS NULL AND anulado_en IS NULL
            ORDER BY created_at DESC LIMIT 1 FOR UPDATE
            """, new { cuentaId, proposito }, tx, cancellationToken: ct));
        if (fila.Id == Guid.Empty) return false;
        var vigente = fila.Intentos < ReglasCuentas.IntentosPorCodigo
            && FechasDb.Utc(fila.ExpiraEn) > ahora;
        var coincide = CryptographicOperations.FixedTimeEquals(fila.Hash, HashCodigo(cuentaId, proposito, codigo));
        if (vigente && coincide)
        {
            await cn.ExecuteAsync(new CommandDefinition("UPDATE cuentas_codigos SET usado_en = @ahora WHERE id = @Id",
                new { fila.Id, ahora }, tx, cancellationToken: ct));
            return true;
        }
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE cuentas_codigos SET intentos = intentos + 1,
                   anulado_en = CASE WHEN intentos + 1 >= @max THEN @ahora END
            WHERE id = @Id
            """, new { fila.Id, ahora, max = ReglasCuentas.IntentosPorCodigo }, tx, cancellationToken: ct));
        return false;
    }

    /// <summary>Queued in the same transaction as the code: the notification dispatcher delivers it through the channel.</summary>
    private static Task NotificarAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid? clienteId, string canal, string destino, string plantilla,
        string asunto, string cuerpo, string cid, CancellationToken ct) =>
        AltasYTickets.ColaNotificaciones.EncolarAsync(cn, tx, new(clienteId, canal, destino, plantilla, asunto, cuerpo, cid), ct);

    /// <summary>The audit trail; customer events hang from the customer (entidad cliente) so their timeline shows them.</summary>
    private static Task EventoAsync(NpgsqlConnection cn, NpgsqlTransaction tx, string tipo, Guid? clienteId, string actor, string cid, object payload,
        CancellationToken ct, string? cuentaId = null) =>
        cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO eventos_sistema (tipo, entidad, entidad_id, actor, cid, payload) VALUES (@tipo, @entidad, @entidadId, @actor, @cid, @payload::jsonb)
            """, new
        {
            tipo, entidad = clienteId is null ? "cuenta" : "cliente", entidadId = clienteId?.ToString() ?? cuentaId ?? "",
            actor, cid, payload = JsonSerializer.Serialize(payload, JsonWeb.Opciones),
        }, tx, cancellationToken: ct));
}
