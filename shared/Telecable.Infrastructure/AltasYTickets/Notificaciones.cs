using System.Diagnostics.Metrics;
using Dapper;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Domain.Identidad;
using ErrorValidacion = Telecable.Domain.Comun.ErrorValidacion;

namespace Telecable.Infrastructure.AltasYTickets;

/// <summary>A message to send. Clave (optional) makes the send idempotent: the same clave is sent once.</summary>
public sealed record MensajeNotificacion(Guid? ClienteId, string Destino, string Plantilla, string? Asunto, string Cuerpo, string? Clave, string Cid);

public sealed record Notificacion
{
    public Guid Id { get; init; }
    public Guid? ClienteId { get; init; }
    public string Canal { get; init; } = "";
    public string Destino { get; init; } = "";
    public string Plantilla { get; init; } = "";
    public string? Asunto { get; init; }
    public string Cuerpo { get; init; } = "";
    public string Estado { get; init; } = "";
    public string? Cid { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? EnviadaEn { get; init; }
    public int Intentos { get; init; }
}

/// <summary>Where notifications go out (WhatsApp Business in production; <see cref="CanalWhatsAppMock"/> locally).</summary>
public interface ICanalNotificaciones
{
    string Canal { get; }

    /// <summary>Sends and records the message (table notificaciones); a repeated Clave returns the first send.</summary>
    Task<Notificacion> EnviarAsync(MensajeNotificacion m, CancellationToken ct);
}

/// <summary>
/// Local WhatsApp: "sending" is recording the message as enviada in notificaciones, which
/// GET /api/whatsapp-mock/mensajes lists so a demo shows messages arriving.
/// </summary>
public sealed class CanalWhatsAppMock(NpgsqlDataSource db, TimeProvider reloj) : ICanalNotificaciones
{
    public string Canal => "whatsapp";

    internal const string SqlNotificacion = """
        SELECT id, cliente_id AS clienteid, canal, destino, plantilla, asunto, cuerpo, estado, cid, created_at AS createdat, enviada_en AS enviadaen,
               intentos
        FROM notificaciones
        """;

    public async Task<Notificacion> EnviarAsync(MensajeNotificacion m, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var id = await cn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            INSERT INTO notificaciones (cliente_id, canal, destino, plantilla, asunto, cuerpo, estado, intentos, cid, enviada_en, clave)
            VALUES (@ClienteId, 'whatsapp', @Destino, @Plantilla, @Asunto, @Cuerpo, 'enviada', 1, @Cid, @Ahora, @Clave)
            ON CONFLICT (clave) WHERE clave IS NOT NULL DO NOTHING
            RETURNING id
            """, new { m.ClienteId, m.Destino, m.Plantilla, m.Asunto, m.Cuerpo, m.Cid, Ahora = reloj.GetUtcNow(), m.Clave }, cancellationToken: ct));
        return await cn.QuerySingleAsync<Notificacion>(new CommandDefinition(
            SqlNotificacion + (id is null ? " WHERE clave = @Clave" : " WHERE id = @id"), new { id, m.Clave }, cancellationToken: ct));
    }
}

public sealed record SolicitudNotificacion(Guid? ClienteId, string? Destino, string? Plantilla, string? Asunto, string? Cuerpo);

/// <summary>Notifications to customers through the configured channel, and their history.</summary>
public sealed class ServicioNotificaciones(ICanalNotificaciones canal, NpgsqlDataSource db)
{
    private static readonly Counter<long> Enviadas = Telemetria.Medidor.CreateCounter<long>(
        "telecable.notificaciones.enviadas", description: "Notificaciones enviadas por canal y plantilla");

    /// <summary>Staff message: to a customer (their phone) or to an explicit Mexican phone number.</summary>
    public async Task<Notificacion> EnviarAsync(SolicitudNotificacion s, string cid, CancellationToken ct)
    {
        var v = new Validador()
            .Requerido(s.Plantilla, "plantilla", 60)
            .Requerido(s.Cuerpo, "cuerpo", 4000)
            .Regla(s.ClienteId is not null || s.Destino is not null, "destino", "Indique clienteId o destino.");
        string? destino = null;
        if (s.Destino is not null)
        {
            var t = TelefonoMx.Validar(s.Destino);
            foreach (var e in t.Errores) v.Agregar(new ErrorCampo("destino", e.Mensaje));
            destino = t.Valor?.E164;
        }
        v.Lanzar();
        if (destino is null) destino = await TelefonoDeAsync(s.ClienteId!.Value, ct);
        return await EnviarAsync(new MensajeNotificacion(s.ClienteId, destino, s.Plantilla!.Trim(), s.Asunto, s.Cuerpo!, null, cid), ct);
    }

    /// <summary>A message to a customer's phone; clave makes it idempotent (activity retries).</summary>
    public async Task<Notificacion> ParaClienteAsync(Guid clienteId, string plantilla, string cuerpo, string? clave, string cid, CancellationToken ct) =>
        await EnviarAsync(new MensajeNotificacion(clienteId, await TelefonoDeAsync(clienteId, ct), plantilla, null, cuerpo, clave, cid), ct);

    private async Task<Notificacion> EnviarAsync(MensajeNotificacion m, CancellationToken ct)
    {
        var n = await canal.EnviarAsync(m, ct);
        Enviadas.Add(1, new KeyValuePair<string, object?>("canal", canal.Canal), new KeyValuePair<string, object?>("plantilla", m.Plantilla));
        return n;
    }

    private async Task<string> TelefonoDeAsync(Guid clienteId, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT telefono FROM clientes WHERE id = @clienteId",
            new { clienteId }, cancellationToken: ct)) ?? throw new ErrorNoEncontrado("cliente", clienteId.ToString());
    }

    /// <summary>Newest first; destino is a phone in any Mexican format (an e-mail address for the e-mail channel);
    /// canal filters (whatsapp or email for the emulated providers' mailboxes).</summary>
    public async Task<Application.Comun.Pagina<Notificacion>> ListarAsync(string? destino, string? canalFiltro, Application.Comun.Paginacion pagina, CancellationToken ct)
    {
        string? filtro = null;
        if (destino is not null && canalFiltro == "email")
        {
            filtro = destino.Trim();
        }
        else if (destino is not null)
        {
            var t = TelefonoMx.Validar(destino);
            if (!t.EsValido) throw new ErrorValidacion("destino", "No es un teléfono mexicano válido.");
            filtro = t.Valor!.E164;
        }
        await using var cn = await db.OpenConnectionAsync(ct);
        return await Datos.Paginado.LeerAsync<Notificacion>(cn, CanalWhatsAppMock.SqlNotificacion + """
             WHERE (@filtro::text IS NULL OR lower(destino) = lower(@filtro)) AND (@canalFiltro::text IS NULL OR canal = @canalFiltro)
            """, "created_at DESC, id", new { filtro, canalFiltro }, pagina, ct);
    }
}
