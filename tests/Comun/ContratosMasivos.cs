using Dapper;
using Npgsql;
using Telecable.Domain.Identidad;

namespace Telecable.Pruebas;

/// <summary>
/// Many customers with valid RFCs, each with an active contract (a third internet only, two thirds combos
/// with IEPS parts), for billing runs of size: the kill -9 test and the billing benchmark. The demo's own
/// contracts are set aside first so that only these are billed. Linked into both projects, one copy.
/// </summary>
public static class ContratosMasivos
{
    public static async Task InsertarAsync(NpgsqlConnection cn, int n, string prefijoRfc, string nombre, int semilla)
    {
        await cn.ExecuteAsync("UPDATE contratos SET estado = 'suspendido' WHERE estado = 'activo'");
        var r = new Random(semilla);
        var rfcs = new HashSet<string>();
        const string alfabeto = "ABCDEFGHJKLMNPQRSTUVWXYZ123456789";
        while (rfcs.Count < n)
        {
            var sinDigito = $"{prefijoRfc}{new DateOnly(1950, 1, 1).AddDays(r.Next(0, 20000)):yyMMdd}{alfabeto[r.Next(alfabeto.Length)]}{alfabeto[r.Next(alfabeto.Length)]}";
            var rfc = sinDigito + Rfc.CalcularDigitoVerificador(sinDigito);
            if (Rfc.Validar(rfc).EsValido) rfcs.Add(rfc);
        }
        var filas = rfcs.Select((rfc, i) => (rfc, i, cliente: Guid.NewGuid(), domicilio: Guid.NewGuid(), contrato: Guid.NewGuid())).ToList();
        await cn.ExecuteAsync($"""
            INSERT INTO clientes (id, tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal, zona_id)
            SELECT x.cliente, 'fisica', @nombre || ' ' || x.i, x.rfc, lower(x.rfc) || '@example.com', '+5281' || (10000000 + x.i), '612', 'G03', '64000',
                   '00000000-0000-0000-0000-000000001001'
            FROM unnest(@clientes, @rfcs, @is) AS x(cliente, rfc, i);
            {DomiciliosYContratos}
            """, new
        {
            nombre, calle = "Av. Constitución", numero = "100",
            clientes = filas.Select(f => f.cliente).ToArray(), rfcs = filas.Select(f => f.rfc).ToArray(), @is = filas.Select(f => f.i).ToArray(),
            domicilios = filas.Select(f => f.domicilio).ToArray(), contratos = filas.Select(f => f.contrato).ToArray(),
        });
    }

    /// <summary>Many customers who "no necesitan factura" (RFC XAXX010101000, regime 616, use S01), each with an active contract
    /// (the same plan/combo mix): billed with receipts that the month's global CFDI covers. Demo contracts are set aside too.</summary>
    public static async Task InsertarSinRfcAsync(NpgsqlConnection cn, int n, string nombre, bool apartarOtros = true)
    {
        if (apartarOtros) await cn.ExecuteAsync("UPDATE contratos SET estado = 'suspendido' WHERE estado = 'activo'");
        var filas = Enumerable.Range(0, n).Select(i => (i, cliente: Guid.NewGuid(), domicilio: Guid.NewGuid(), contrato: Guid.NewGuid())).ToList();
        await cn.ExecuteAsync($"""
            INSERT INTO clientes (id, tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal, zona_id)
            SELECT x.cliente, 'fisica', @nombre || ' ' || x.i, 'XAXX010101000', 'publico' || x.i || '@example.com', '+5282' || (10000000 + x.i),
                   '616', 'S01', '64000', '00000000-0000-0000-0000-000000001001'
            FROM unnest(@clientes, @is) AS x(cliente, i);
            {DomiciliosYContratos}
            """, new
        {
            nombre, calle = "Av. Juárez", numero = "200",
            clientes = filas.Select(f => f.cliente).ToArray(), @is = filas.Select(f => f.i).ToArray(),
            domicilios = filas.Select(f => f.domicilio).ToArray(), contratos = filas.Select(f => f.contrato).ToArray(),
        });
    }

    /// <summary>Each new customer's installation address (<c>@calle</c>, <c>@numero</c>) and active contract: a third internet
    /// only, two thirds combos with IEPS parts, dia_corte 1.</summary>
    private const string DomiciliosYContratos = """
        INSERT INTO domicilios (id, cliente_id, tipo, calle, numero_exterior, colonia, cp, municipio, estado)
        SELECT x.domicilio, x.cliente, 'instalacion', @calle, @numero, 'Centro', '64000', 'Monterrey', 'Nuevo León'
        FROM unnest(@clientes, @domicilios) AS x(cliente, domicilio);
        INSERT INTO contratos (id, cliente_id, plan_id, combo_id, zona_id, domicilio_id, precio_pactado, fecha_inicio, fecha_activacion, estado, dia_corte)
        SELECT x.contrato, x.cliente,
               CASE WHEN x.i % 3 = 0 THEN '00000000-0000-0000-0000-000000002002'::uuid END,
               CASE x.i % 3 WHEN 1 THEN '00000000-0000-0000-0000-000000003001'::uuid WHEN 2 THEN '00000000-0000-0000-0000-000000003002'::uuid END,
               '00000000-0000-0000-0000-000000001001', x.domicilio, CASE x.i % 3 WHEN 0 THEN 430 WHEN 1 THEN 560 ELSE 900 END,
               '2025-12-01', '2025-12-02', 'activo', 1
        FROM unnest(@clientes, @domicilios, @contratos, @is) AS x(cliente, domicilio, contrato, i);
        """;
}
