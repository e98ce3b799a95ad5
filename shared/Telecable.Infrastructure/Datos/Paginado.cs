using System.Data.Common;
using Dapper;
using Telecable.Application.Comun;

namespace Telecable.Infrastructure.Datos;

/// <summary>The one way a list is paged in SQL: count the query's rows, then read one ordered page of it.</summary>
public static class Paginado
{
    /// <param name="consulta">A SELECT without ORDER BY/LIMIT; its parameters come from <paramref name="parametros"/>.</param>
    /// <param name="orden">The ORDER BY expression: stable (ends in a unique column) so pages never overlap.</param>
    public static Task<Pagina<T>> LeerAsync<T>(DbConnection cn, string consulta, string orden, object? parametros, Paginacion p, CancellationToken ct) =>
        LeerAsync<T, T>(cn, consulta, orden, parametros, p, f => f, ct);

    public static async Task<Pagina<T>> LeerAsync<TFila, T>(DbConnection cn, string consulta, string orden, object? parametros, Paginacion p,
        Func<TFila, T> mapear, CancellationToken ct)
    {
        var dp = new DynamicParameters(parametros);
        dp.Add("tamano", p.Tamano);
        dp.Add("saltar", p.Saltar);
        var total = await cn.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM ({consulta}) AS t", dp, cancellationToken: ct));
        var filas = await cn.QueryAsync<TFila>(new CommandDefinition($"{consulta} ORDER BY {orden} LIMIT @tamano OFFSET @saltar", dp, cancellationToken: ct));
        return p.Con(filas.Select(mapear).ToList(), total);
    }
}
