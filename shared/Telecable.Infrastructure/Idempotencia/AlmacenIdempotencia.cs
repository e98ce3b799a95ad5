using System.Text.Json;
using Dapper;
using Npgsql;

namespace Telecable.Infrastructure.Idempotencia;

/// <summary>What the store says about an Idempotency-Key when a request arrives.</summary>
public abstract record Reserva
{
    /// <summary>First time this key is seen: the caller runs the request and then completes or releases.</summary>
    public sealed record Nueva : Reserva;
    /// <summary>Same key, same request, already answered: replay the stored answer.</summary>
    public sealed record Repetida(int Status, string? TipoContenido, string? Cuerpo, IReadOnlyDictionary<string, string>? Encabezados = null) : Reserva;
    /// <summary>Same key, first request still running: 409.</summary>
    public sealed record EnCurso : Reserva;
    /// <summary>Same key, different request: 422.</summary>
    public sealed record OtraSolicitud : Reserva;
}

/// <summary>Where Idempotency-Key reservations live (an interface so the HTTP pipeline can be unit-tested).</summary>
public interface IAlmacenIdempotencia
{
    Task<Reserva> ReservarAsync(string ambito, string clave, byte[] huella, CancellationToken ct);
    Task CompletarAsync(string ambito, string clave, int status, string? tipoContenido, string? cuerpo,
        IReadOnlyDictionary<string, string>? encabezados, CancellationToken ct);
    Task LiberarAsync(string ambito, string clave, CancellationToken ct);
}

/// <summary>
/// Idempotency keys in PostgreSQL (Stripe; IETF draft-ietf-httpapi-idempotency-key-header). The
/// primary key on (ambito, clave) decides the race: of two concurrent requests with one key exactly
/// one inserts; the other sees 'en_curso'.
/// </summary>
public sealed class AlmacenIdempotencia(NpgsqlDataSource db, TimeProvider reloj) : IAlmacenIdempotencia
{
    public static readonly TimeSpan Retencion = TimeSpan.FromHours(24);

    /// <summary>A reservation left 'en_curso' this long belongs to a crashed request and may be taken over.</summary>
    public static readonly TimeSpan Abandono = TimeSpan.FromMinutes(2);

    public async Task<Reserva> ReservarAsync(string ambito, string clave, byte[] huella, CancellationToken ct)
    {
        var ahora = reloj.GetUtcNow();
        await using var cn = await db.OpenConnectionAsync(ct);
        var insertada = await cn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO idempotencia (ambito, clave, huella_solicitud, estado, creada_en, expira_en)
            VALUES (@ambito, @clave, @huella, 'en_curso', @ahora, @expira)
            ON CONFLICT (ambito, clave) DO UPDATE
               SET huella_solicitud = EXCLUDED.huella_solicitud, creada_en = EXCLUDED.creada_en, expira_en = EXCLUDED.expira_en
             WHERE idempotencia.estado = 'en_curso' AND idempotencia.creada_en < @abandonada
                OR idempotencia.expira_en < @ahora
            """, new { ambito, clave, huella, ahora, expira = ahora + Retencion, abandonada = ahora - Abandono }, cancellationToken: ct));
        if (insertada == 1) return new Reserva.Nueva();

        var fila = await cn.QuerySingleAsync<(byte[] Huella, string Estado, int? Status, string? Tipo, string? Cuerpo, string? Encabezados)>(new CommandDefinition("""
            SELECT huella_solicitud, estado, status_respuesta, tipo_contenido, cuerpo_respuesta, encabezados::text
              FROM idempotencia WHERE ambito = @ambito AND clave = @clave
            """, new { ambito, clave }, cancellationToken: ct));
        if (!fila.Huella.AsSpan().SequenceEqual(huella)) return new Reserva.OtraSolicitud();
        return fila.Estado == "en_curso"
            ? new Reserva.EnCurso()
            : new Reserva.Repetida(fila.Status!.Value, fila.Tipo, fila.Cuerpo,
                fila.Encabezados is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(fila.Encabezados));
    }

    public async Task CompletarAsync(string ambito, string clave, int status, string? tipoContenido, string? cuerpo,
        IReadOnlyDictionary<string, string>? encabezados, CancellationToken ct)
    {
        var json = encabezados is { Count: > 0 } ? JsonSerializer.Serialize(encabezados) : null;
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE idempotencia
               SET estado = 'completada', status_respuesta = @status, tipo_contenido = @tipoContenido,
                   cuerpo_respuesta = @cuerpo, encabezados = @json::jsonb, completada_en = @ahora
             WHERE ambito = @ambito AND clave = @clave
            """, new { ambito, clave, status, tipoContenido, cuerpo, json, ahora = reloj.GetUtcNow() }, cancellationToken: ct));
    }

    /// <summary>
    /// Forgets a reservation whose request failed before producing an answer worth keeping (a fault,
    /// not a 4xx), so that the client's retry with the same key runs again.
    /// </summary>
    public async Task LiberarAsync(string ambito, string clave, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await cn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotencia WHERE ambito = @ambito AND clave = @clave AND estado = 'en_curso'",
            new { ambito, clave }, cancellationToken: ct));
    }

    public async Task<int> PurgarVencidasAsync(CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotencia WHERE expira_en < @ahora", new { ahora = reloj.GetUtcNow() }, cancellationToken: ct));
    }
}
