using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using Telecable.Domain.Identidad;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Facturacion;

/// <summary>The host with a PAC that answers "unavailable" to 30 % of the calls (seeded), its emulated SAT
/// certificate in a folder of its own (so verify.sh can check SelloSAT), and a billing run helper.</summary>
public sealed class HostFacturacion : HostPrueba
{
    public string CarpetaPac { get; } = Directory.CreateTempSubdirectory("telecable-pac-").FullName;

    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?>
    {
        ["Pac:FailureRate"] = "0.3",
        ["Pac:Seed"] = "20261201",
        ["Pac:Carpeta"] = CarpetaPac,
        ["Facturacion:EsperaInicialPacMs"] = "1",
        ["Facturacion:FacturasPorParte"] = "10",
        // Generation in pages of 7 contracts: every run here spans several pages (and episodes), as a 50,000 one does.
        ["Facturacion:ContratosPorPagina"] = "7",
    };

    public string Tfdcerts => Path.Combine(CarpetaPac, "tfdcerts");

    /// <summary>Starts a run of the period and waits (polling the progress endpoint) until it is no longer live.</summary>
    public async Task<JsonElement> CorrerAsync(HttpClient admin, string periodo) =>
        await EsperarAsync(admin, await Corridas.IniciarAsync(admin, periodo));

    public Task<JsonElement> EsperarAsync(HttpClient admin, Guid corrida) => Corridas.EsperarFinAsync(admin, corrida, TimeSpan.FromMinutes(3));

    public static Task<HttpResponseMessage> PostAsync(HttpClient c, string ruta, object cuerpo, string? clave = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, ruta) { Content = JsonContent.Create(cuerpo) };
        req.Headers.Add("Idempotency-Key", clave ?? Guid.NewGuid().ToString());
        return c.SendAsync(req);
    }

    /// <summary>Inserts active customers with valid fiscal data, each with an active contract (plans and combos alternate:
    /// internet only, and TV/phone parts that carry IEPS).</summary>
    public async Task<IReadOnlyList<(Guid Cliente, Guid Contrato, string Rfc)>> InsertarContratosAsync(int cuantos, string prefijo = "GAMR")
    {
        var r = new Random(prefijo.GetHashCode(StringComparison.Ordinal) ^ cuantos);
        var lista = new List<(Guid, Guid, string)>();
        await using var cn = new NpgsqlConnection(ConnectionString);
        await cn.OpenAsync();
        while (lista.Count < cuantos)
        {
            var fecha = new DateOnly(1960, 1, 1).AddDays(r.Next(0, 15000));
            const string alfabeto = "ABCDEFGHJKLMNPQRSTUVWXYZ123456789";
            var sinDigito = $"{prefijo}{fecha:yyMMdd}{alfabeto[r.Next(alfabeto.Length)]}{alfabeto[r.Next(alfabeto.Length)]}";
            var rfc = sinDigito + Rfc.CalcularDigitoVerificador(sinDigito);
            if (!Rfc.Validar(rfc).EsValido || lista.Any(x => x.Item3 == rfc)) continue;
            var (cliente, contrato) = await InsertarAsync(cn, rfc, $"CLIENTE DE PRUEBA {lista.Count + 1}", "612", "G03", lista.Count % 3);
            lista.Add((cliente, contrato, rfc));
        }
        return lista;
    }

    public async Task<(Guid Cliente, Guid Contrato)> InsertarAsync(NpgsqlConnection cn, string rfc, string nombre, string regimen, string uso, int tipo)
    {
        var cliente = Guid.NewGuid();
        var domicilio = Guid.NewGuid();
        var contrato = Guid.NewGuid();
        var telefono = "+5281" + Random.Shared.Next(10000000, 99999999);
        await cn.ExecuteAsync("""
            INSERT INTO clientes (id, tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal, zona_id)
            VALUES (@cliente, 'fisica', @nombre, @rfc, @email, @telefono, @regimen, @uso, '64000', '00000000-0000-0000-0000-000000001001');
            INSERT INTO domicilios (id, cliente_id, tipo, calle, numero_exterior, colonia, cp, municipio, estado)
            VALUES (@domicilio, @cliente, 'instalacion', 'Av. Constitución', '100', 'Centro', '64000', 'Monterrey', 'Nuevo León');
            INSERT INTO contratos (id, cliente_id, plan_id, combo_id, zona_id, domicilio_id, precio_pactado, fecha_inicio, fecha_activacion, estado, dia_corte)
            VALUES (@contrato, @cliente, @plan, @combo, '00000000-0000-0000-0000-000000001001', @domicilio, @precio, '2026-01-01', '2026-01-02', 'activo', 1);
            """, new
        {
            cliente, domicilio, contrato, nombre, rfc, email = $"{rfc.ToLowerInvariant()}@example.com", telefono, regimen, uso,
            plan = tipo == 0 ? Guid.Parse("00000000-0000-0000-0000-000000002002") : (Guid?)null,
            combo = tipo switch { 1 => Guid.Parse("00000000-0000-0000-0000-000000003001"), 2 => Guid.Parse("00000000-0000-0000-0000-000000003002"), _ => (Guid?)null },
            precio = tipo switch { 0 => 430.00m, 1 => 549.90m, _ => 900.00m },
        });
        return (cliente, contrato);
    }

    /// <summary>Downloads every stamped XML of the period to a folder and runs SAT's verify.sh over all of them in one call.</summary>
    public async Task<(int Codigo, string Salida, int Archivos)> VerificarPeriodoAsync(HttpClient admin, string periodo, Guid? clienteId = null)
    {
        var carpeta = Directory.CreateTempSubdirectory("telecable-verifica-").FullName;
        await using var cn = new NpgsqlConnection(ConnectionString);
        var uuids = (await cn.QueryAsync<Guid>(
            "SELECT uuid FROM facturas WHERE periodo = @p::date AND uuid IS NOT NULL AND (@clienteId::uuid IS NULL OR cliente_id = @clienteId)",
            new { p = periodo + "-01", clienteId })).ToList();
        foreach (var u in uuids)
        {
            await File.WriteAllTextAsync(Path.Combine(carpeta, $"{u}.xml"), await admin.GetStringAsync($"api/facturacion/{u}/xml"), new UTF8Encoding(false));
        }
        var sat = Telecable.Pruebas.Servicios.DirectorioSat;
        var inicio = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        inicio.ArgumentList.Add(Path.Combine(sat, "verify.sh"));
        inicio.ArgumentList.Add(carpeta);
        inicio.Environment["TFDCERTS"] = Tfdcerts;
        using var p = Process.Start(inicio)!;
        var salida = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await salida + await error, uuids.Count);
    }
}
