using Dapper;
using Npgsql;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>The one way a single CFDI takes its folio: the series row is locked by the UPDATE until the caller's
/// transaction ends, so folios are consecutive and never repeat.</summary>
public static class SeriesFolios
{
    public static async Task<long> SiguienteAsync(NpgsqlConnection cn, NpgsqlTransaction tx, string serie, CancellationToken ct) =>
        await cn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "UPDATE series_folios SET ultimo_folio = ultimo_folio + 1 WHERE serie = @serie RETURNING ultimo_folio", new { serie }, tx, cancellationToken: ct))
        ?? throw new InvalidOperationException($"La serie {serie} no existe en series_folios.");
}
