using Azure.Core;
using Moq;
using Telecable.Functions;
using Telecable.Infrastructure.Datos;
using Telecable.Pruebas;

namespace Telecable.IntegrationTests.Plataforma;

/// <summary>
/// The release step of an Azure deployment, <c>Telecable.Functions --migrar</c>: it migrates a database and exits
/// without a Functions worker, authenticating with an Entra token when asked (the local server ignores the
/// password, so the mocked token's path runs end to end), and fails with a non-zero exit code.
/// </summary>
public sealed class PasoMigracionTests
{
    [Fact]
    public async Task Migrar_aplica_todas_las_migraciones_con_el_token_y_una_segunda_vez_ninguna()
    {
        var cs = await Servicios.CrearBaseAsync("migrar");
        try
        {
            var cred = new Mock<TokenCredential>();
            cred.Setup(c => c.GetTokenAsync(It.IsAny<TokenRequestContext>(), It.IsAny<CancellationToken>()))
                .ReturnsAsync(new AccessToken("token-entra", DateTimeOffset.UtcNow.AddHours(1)));
            string[] args = [PasoMigracion.Argumento, $"--Postgres:ConnectionString={cs}", "--Postgres:Autenticacion=EntraId"];

            Assert.Equal(0, await PasoMigracion.EjecutarAsync(args, cred.Object));
            Assert.Equal(Migrador.Migraciones().Count, await Servicios.EscalarAsync<long>(cs, "SELECT count(*) FROM schema_migrations"));
            Assert.Equal(0, await PasoMigracion.EjecutarAsync(args, cred.Object));
            cred.Verify(c => c.GetTokenAsync(It.Is<TokenRequestContext>(r => r.Scopes.Single() == TokensPostgres.Alcance), It.IsAny<CancellationToken>()), Times.AtLeastOnce());

            Assert.Equal(1, await PasoMigracion.EjecutarAsync([PasoMigracion.Argumento, "--Postgres:ConnectionString=Host=127.0.0.1;Port=1;Username=x;Timeout=1"]));
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }
}
