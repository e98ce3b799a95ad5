using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Application.Altas;
using Telecable.Domain.Comun;
using Telecable.Functions;
using Telecable.Infrastructure.AltasYTickets;

namespace Telecable.IntegrationTests.AltasYTickets;

/// <summary>
/// Issue 24: no step or compensation of the sign-up saga holds a pooled connection while it waits for another. Under load
/// (bench/AltaCarga.sh) every running step that did so held one of the pool's connections and waited for a second: with as
/// many such steps as connections the pool emptied with PostgreSQL idle, every step and every POST /api/altas waited for
/// the pool's timeout (15 s) and failed. With a pool of one connection that wait is certain, so each step here must finish
/// on a single connection (the short timeout only turns the wait into a failure sooner).
/// </summary>
[Collection(ColeccionAltas.Nombre)]
public sealed class AltaUnaConexionTests(HostAltas host)
{
    private ServiceProvider ServiciosConUnaConexion()
    {
        var config = new ConfigurationBuilder()
            .AddConfiguration(host.Servicios.GetRequiredService<IConfiguration>())
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Postgres:ConnectionString"] = host.ConnectionString + ";Maximum Pool Size=1;Timeout=3",
                ["Postgres:MigrarAlIniciar"] = "false",
                ["Postgres:CargarDemo"] = "false",
            })
            .Build();
        return new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(config).AgregarTelecable(config).BuildServiceProvider();
    }

    private static SolicitudAlta Solicitud() =>
        JsonSerializer.Deserialize<SolicitudAlta>(JsonSerializer.Serialize(HostAltas.SolicitudAlta(), JsonWeb.Opciones), JsonWeb.Opciones)!;

    [Fact]
    public async Task Cada_paso_y_cada_compensacion_terminan_con_una_sola_conexion()
    {
        await using var sp = ServiciosConUnaConexion();
        var altas = sp.GetRequiredService<ServicioAltas>();
        var id = $"alta-una-conexion-{Guid.NewGuid():N}";
        await altas.RegistrarAsync(id, Solicitud(), null, "cid-una-conexion", CancellationToken.None);

        foreach (var paso in SagaAlta.Pasos)
        {
            await altas.IniciarPasoAsync(id, paso, CancellationToken.None);
            await altas.EjecutarPasoAsync(id, paso, "cid-una-conexion", CancellationToken.None);
        }
        var alta = (await altas.ObtenerAsync(id, CancellationToken.None))!;
        Assert.All(alta.Pasos, p => Assert.Equal("completado", p.Estado));
        Assert.NotNull(alta.TicketId);

        foreach (var paso in SagaAlta.Pasos.Reverse().Where(SagaAlta.ConCompensacion.Contains))
            Assert.NotNull(await altas.CompensarAsync(id, paso, "cid-una-conexion", CancellationToken.None));
        await altas.TerminarAsync(id, false, CancellationToken.None);
        Assert.Equal("cancelado", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @ContratoId", new { alta.ContratoId }));
        Assert.Equal("baja", await host.EscalarAsync<string>("SELECT estado FROM clientes WHERE id = @ClienteId", new { alta.ClienteId }));
    }
}
