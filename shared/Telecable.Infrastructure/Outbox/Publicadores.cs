using System.Text;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Telecable.Domain.Comun;

namespace Telecable.Infrastructure.Outbox;

/// <summary>Publishes to a Service Bus topic; MessageId = event id so the broker's duplicate detection helps too.</summary>
public sealed class PublicadorServiceBus(ServiceBusSender sender) : IPublicadorEventos
{
    public string Destino => $"servicebus:{sender.EntityPath}";

    public async Task PublicarAsync(IReadOnlyList<EventoDominio> eventos, CancellationToken ct)
    {
        var mensajes = eventos.Select(e => new ServiceBusMessage(JsonSerializer.SerializeToUtf8Bytes(e, JsonWeb.Opciones))
        {
            MessageId = e.Id.ToString(),
            Subject = e.Tipo,
            CorrelationId = e.Cid,
            ContentType = "application/json",
        });
        await sender.SendMessagesAsync(mensajes, ct);
    }
}

/// <summary>Local stand-in for Service Bus: appends one JSON line per event to a file.</summary>
public sealed class PublicadorJsonl(string ruta) : IPublicadorEventos
{
    private static readonly SemaphoreSlim Candado = new(1, 1);

    public string Destino => $"jsonl:{Path.GetFileName(ruta)}";

    public async Task PublicarAsync(IReadOnlyList<EventoDominio> eventos, CancellationToken ct)
    {
        var texto = new StringBuilder();
        foreach (var e in eventos) texto.Append(JsonSerializer.Serialize(e, JsonWeb.Opciones)).Append('\n');
        await Candado.WaitAsync(ct);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(ruta))!);
            await File.AppendAllTextAsync(ruta, texto.ToString(), ct);
        }
        finally { Candado.Release(); }
    }
}
