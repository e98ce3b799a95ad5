using Azure.Core;
using Npgsql;

namespace Telecable.Infrastructure.Datos;

/// <summary>
/// Builds every <see cref="NpgsqlDataSource"/> of the app from <see cref="OpcionesPostgres"/>: with the
/// connection string's password locally, or with an Entra token of the managed identity in Azure.
/// </summary>
public static class FuentesPostgres
{
    public static NpgsqlDataSource Crear(OpcionesPostgres op, TokenCredential? credencial, TimeProvider reloj,
        Action<NpgsqlConnectionStringBuilder>? ajustar = null)
    {
        if (string.IsNullOrWhiteSpace(op.ConnectionString)) throw new InvalidOperationException("Falta Postgres:ConnectionString.");
        var cs = new NpgsqlConnectionStringBuilder(op.ConnectionString);
        ajustar?.Invoke(cs);
        if (op.Autenticacion == AutenticacionPostgres.EntraId && !string.IsNullOrEmpty(cs.Password))
            // A password beside the token would be ignored by Npgsql's provider and would only leak in logs.
            throw new InvalidOperationException("Postgres:Autenticacion=EntraId: Postgres:ConnectionString no debe llevar Password.");
        var b = new NpgsqlDataSourceBuilder(cs.ConnectionString);
        if (op.Autenticacion == AutenticacionPostgres.EntraId)
        {
            var tokens = new TokensPostgres(credencial ?? throw new InvalidOperationException("Postgres:Autenticacion=EntraId necesita una TokenCredential."), reloj);
            // The provider is asked at build and then every interval; TokensPostgres returns its cached token until
            // it is within the margin of expiry, so the pool's password is always a token with minutes to live.
            b.UsePeriodicPasswordProvider((_, ct) => tokens.ObtenerAsync(ct), TokensPostgres.Refresco, TokensPostgres.ReintentoTrasFalla);
        }
        return b.Build();
    }
}

/// <summary>
/// Entra access tokens for Azure Database for PostgreSQL, cached until <see cref="Margen"/> before they expire.
/// Tokens of a managed identity live hours; of a user, about an hour. Npgsql only needs the token when it opens
/// a physical connection, so a token that expires later does not break open connections.
/// </summary>
public sealed class TokensPostgres(TokenCredential credencial, TimeProvider reloj)
{
    public const string Alcance = "https://ossrdbms-aad.database.windows.net/.default";
    public static readonly TimeSpan Margen = TimeSpan.FromMinutes(10);
    /// <summary>Shorter than <see cref="Margen"/>, so the password is replaced before the token it holds expires.</summary>
    public static readonly TimeSpan Refresco = TimeSpan.FromMinutes(4);
    public static readonly TimeSpan ReintentoTrasFalla = TimeSpan.FromSeconds(10);

    private AccessToken? _actual;

    public async ValueTask<string> ObtenerAsync(CancellationToken ct)
    {
        if (_actual is { } t && t.ExpiresOn - reloj.GetUtcNow() > Margen) return t.Token;
        var nuevo = await credencial.GetTokenAsync(new TokenRequestContext([Alcance]), ct);
        _actual = nuevo;
        return nuevo.Token;
    }
}
