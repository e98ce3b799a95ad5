using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.Functions;
using Telecable.Infrastructure.Outbox;

namespace Telecable.UnitTests;

/// <summary>
/// What the settings select when the app starts (Registro.AgregarTelecable, shared by Program.cs and the
/// local host): the Azure adapters when Azure settings are present, the local ones otherwise, and a
/// start-up error naming the setting when a required one is missing. Nothing here opens a connection.
/// </summary>
public sealed class RegistroTests
{
    private static ServiceProvider Construir(Dictionary<string, string?> ajustes)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(ajustes).Build();
        var s = new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging();
        s.AgregarTelecable(config);
        return s.BuildServiceProvider();
    }

    [Fact]
    public void Los_eventos_van_a_Service_Bus_si_esta_configurado_y_si_no_al_archivo_local()
    {
        const string cs = "Endpoint=sb://telecable-prueba.servicebus.windows.net/;SharedAccessKeyName=envio;SharedAccessKey=c2VjcmV0bw==";
        using (var sp = Construir(new() { ["ServiceBus:ConnectionString"] = cs }))
            Assert.IsType<PublicadorServiceBus>(sp.GetRequiredService<IPublicadorEventos>());
        // In Azure: the namespace and the managed identity, no key.
        using (var sp = Construir(new() { ["ServiceBus:FullyQualifiedNamespace"] = "telecable-prueba.servicebus.windows.net" }))
            Assert.IsType<PublicadorServiceBus>(sp.GetRequiredService<IPublicadorEventos>());
        using (var sp = Construir(new() { ["Outbox:JsonlPath"] = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.jsonl") }))
            Assert.IsType<PublicadorJsonl>(sp.GetRequiredService<IPublicadorEventos>());
    }

    [Fact]
    public void Blob_por_cadena_de_conexion_en_Azurite_o_por_URI_con_identidad_en_Azure()
    {
        using (var sp = Construir(new() { ["Blob:ConnectionString"] = "UseDevelopmentStorage=true" }))
            Assert.Equal("devstoreaccount1", sp.GetRequiredService<BlobServiceClient>().AccountName);
        using (var sp = Construir(new() { ["Blob:ServiceUri"] = "https://telecablecfdi.blob.core.windows.net" }))
            Assert.Equal("telecablecfdi", sp.GetRequiredService<BlobServiceClient>().AccountName);
        using (var sp = Construir(new()))
            Assert.Contains("Blob:ConnectionString", Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<BlobServiceClient>()).Message);
    }

    [Fact]
    public void Sin_cadena_de_PostgreSQL_o_con_un_PAC_que_no_existe_el_arranque_falla_nombrando_el_setting()
    {
        using (var sp = Construir(new()))
            Assert.Contains("Postgres:ConnectionString", Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<NpgsqlDataSource>()).Message);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["PAC_MODE"] = "real" }).Build();
        Assert.Contains("PAC_MODE=real", Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AgregarTelecable(config)).Message);
    }
}
