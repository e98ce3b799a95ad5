using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Npgsql;
using Telecable.Functions;
using Telecable.Infrastructure.Datos;
using Telecable.Infrastructure.Routers;

namespace Telecable.UnitTests;

/// <summary>
/// PostgreSQL authentication chosen by Postgres:Autenticacion: in Azure an Entra token of the managed identity
/// for the ossrdbms scope is the password, refreshed before it expires; locally the connection string's password
/// and no credential at all. The credential is a Moq mock, so nothing reaches Entra ID.
/// </summary>
public sealed class PostgresEntraIdTests
{
    private sealed class Reloj(DateTimeOffset ahora) : TimeProvider
    {
        public DateTimeOffset Ahora { get; set; } = ahora;
        public override DateTimeOffset GetUtcNow() => Ahora;
    }

    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static Mock<TokenCredential> Credencial(Func<int, AccessToken> token)
    {
        var llamadas = 0;
        var m = new Mock<TokenCredential>(MockBehavior.Strict);
        m.Setup(c => c.GetTokenAsync(It.IsAny<TokenRequestContext>(), It.IsAny<CancellationToken>()))
            .Returns(() => ValueTask.FromResult(token(++llamadas)));
        return m;
    }

    [Fact]
    public async Task El_token_es_del_alcance_de_PostgreSQL_y_se_renueva_antes_de_expirar()
    {
        var reloj = new Reloj(T0);
        var cred = Credencial(n => new AccessToken($"token-{n}", reloj.Ahora.AddMinutes(60)));
        var tokens = new TokensPostgres(cred.Object, reloj);

        Assert.Equal("token-1", await tokens.ObtenerAsync(CancellationToken.None));
        reloj.Ahora = T0.AddMinutes(49); // 11 minutes left: still outside the margin
        Assert.Equal("token-1", await tokens.ObtenerAsync(CancellationToken.None));
        reloj.Ahora = T0.AddMinutes(51); // 9 minutes left: a new one before the old expires
        Assert.Equal("token-2", await tokens.ObtenerAsync(CancellationToken.None));

        cred.Verify(c => c.GetTokenAsync(It.Is<TokenRequestContext>(r => r.Scopes.SequenceEqual(new[] { "https://ossrdbms-aad.database.windows.net/.default" })),
            It.IsAny<CancellationToken>()), Times.Exactly(2));
        // The pool's password is replaced more often than the margin, so it never holds an expired token.
        Assert.True(TokensPostgres.Refresco < TokensPostgres.Margen);
    }

    private static ServiceProvider Construir(Dictionary<string, string?> ajustes, TokenCredential credencial)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(ajustes).Build();
        var s = new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging().AddSingleton(credencial);
        s.AgregarTelecable(config);
        return s.BuildServiceProvider();
    }

    [Fact]
    public async Task Con_EntraId_ambas_fuentes_abren_conexiones_con_el_token_de_la_identidad()
    {
        var cred = Credencial(n => new AccessToken($"token-{n}", DateTimeOffset.UtcNow.AddHours(1)));
        // Nothing listens on port 1: the open fails after Npgsql asked the provider for the password.
        await using var sp = Construir(new()
        {
            ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=telecable;Username=id-telecable-prod;Timeout=2",
            ["Postgres:Autenticacion"] = "EntraId",
            ["Postgres:PoolTelemetria"] = "3",
        }, cred.Object);

        foreach (var fuente in new[] { sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<FuenteTelemetria>().Datos })
            await Assert.ThrowsAnyAsync<Exception>(async () => { await using var _ = await fuente.OpenConnectionAsync(); });

        cred.Verify(c => c.GetTokenAsync(It.Is<TokenRequestContext>(r => r.Scopes.Single() == TokensPostgres.Alcance), It.IsAny<CancellationToken>()),
            Times.AtLeast(2));
        Assert.Equal(3, new NpgsqlConnectionStringBuilder(sp.GetRequiredService<FuenteTelemetria>().Datos.ConnectionString).MaxPoolSize);
    }

    [Fact]
    public async Task Con_contrasena_no_se_pide_ningun_token_y_EntraId_rechaza_una_contrasena_en_la_cadena()
    {
        var cred = new Mock<TokenCredential>(MockBehavior.Strict); // any call fails the test
        await using (var sp = Construir(new() { ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=telecable;Password=local;Timeout=2" }, cred.Object))
        {
            await Assert.ThrowsAnyAsync<NpgsqlException>(async () => { await using var _ = await sp.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(); });
            await Assert.ThrowsAnyAsync<NpgsqlException>(async () => { await using var _ = await sp.GetRequiredService<FuenteTelemetria>().Datos.OpenConnectionAsync(); });
        }
        cred.VerifyNoOtherCalls();

        await using var conClave = Construir(new()
        {
            ["Postgres:ConnectionString"] = "Host=x;Username=id;Password=p",
            ["Postgres:Autenticacion"] = "EntraId",
        }, cred.Object);
        Assert.Contains("Password", Assert.Throws<InvalidOperationException>(() => conClave.GetRequiredService<NpgsqlDataSource>()).Message);
    }
}
