using Dapper;
using Npgsql;
using Telecable.Domain.Pagos;

namespace Telecable.Infrastructure.Pagos;

/// <summary>SPEI collection account: the prefix (bank, plaza and the ISP's own digits) its aggregator assigned.</summary>
public sealed class OpcionesSpei
{
    public const string Seccion = "Spei";
    /// <summary>Demo default: STP's bank 646, plaza 180, company 1234 (7 digits left: 9,999,999 customers).</summary>
    public string PrefijoClabe { get; set; } = "6461801234";
}

/// <summary>Each customer's stable CLABE: issued once from <c>clabe_secuencia</c> and kept in <c>clientes.clabe</c>.</summary>
public static class ReferenciasSpei
{
    /// <summary>The customer's CLABE, issuing it the first time. Concurrent first calls agree: the row lock makes
    /// the loser's UPDATE see the winner's CLABE and write nothing (its sequence number is simply skipped).</summary>
    public static async Task<string> ClabeAsync(NpgsqlConnection cn, Guid clienteId, string prefijo, CancellationToken ct)
    {
        var actual = await cn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT clabe FROM clientes WHERE id = @clienteId", new { clienteId }, cancellationToken: ct));
        if (actual is not null) return actual;
        var secuencia = await cn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT nextval('clabe_secuencia')", cancellationToken: ct));
        var nueva = Clabe.Construir(prefijo, secuencia);
        return await cn.ExecuteScalarAsync<string?>(new CommandDefinition(
                   "UPDATE clientes SET clabe = @nueva WHERE id = @clienteId AND clabe IS NULL RETURNING clabe", new { clienteId, nueva }, cancellationToken: ct))
               ?? await cn.ExecuteScalarAsync<string>(new CommandDefinition(
                   "SELECT clabe FROM clientes WHERE id = @clienteId", new { clienteId }, cancellationToken: ct))
               ?? throw new InvalidOperationException("El cliente no tiene CLABE.");
    }
}
