using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Telecable.IntegrationTests.Clientes;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Cuentas;

/// <summary>
/// Issue 21: a customer who signed up gets an account (code through their channel, password, sign-in with the same
/// JWT shape as the development issuer), reset, lockout, sessions that end, staff accounts managed by admin.
/// </summary>
[Collection(ColeccionHost.Nombre)]
public sealed partial class CuentasTests(HostPrueba host)
{
    private const string Password = "una-clave-larga-2026";

    [GeneratedRegex(@"\b(\d{6})\b")]
    private static partial Regex SeisDigitos();

    private async Task<(string ClienteId, string Email, string Telefono)> ClienteNuevoAsync()
    {
        using var admin = await host.ClienteAsync("admin");
        var datos = Datos.Cliente();
        var id = await Datos.CrearAsync(admin, datos);
        var email = ((string)datos["email"]!).ToLowerInvariant();
        var telefono = await host.EscalarAsync<string>("SELECT telefono FROM clientes WHERE id = @id::uuid", new { id });
        return (id, email, telefono!);
    }

    /// <summary>The newest code sent to destino, read from the emulated mailbox as a person would.</summary>
    private async Task<string> CodigoAsync(string canal, string destino, string plantilla)
    {
        using var admin = await host.ClienteAsync("admin");
        var lista = JsonDocument.Parse(await admin.GetStringAsync(
            $"api/{(canal == "email" ? "email" : "whatsapp")}-mock/mensajes?destino={Uri.EscapeDataString(destino)}")).RootElement.GetProperty("elementos");
        var m = lista.EnumerateArray().First(x => x.GetProperty("plantilla").GetString() == plantilla);
        return SeisDigitos().Match(m.GetProperty("cuerpo").GetString()!).Groups[1].Value;
    }

    private async Task<HttpResponseMessage> SesionAsync(string usuario, string password) =>
        await host.Http.PostAsJsonAsync("api/cuentas/sesion", new { usuario, password });

    private async Task<string> TokenAsync(string usuario, string password)
    {
        var r = await SesionAsync(usuario, password);
        return (await Datos.JsonAsync(r, HttpStatusCode.OK)).GetProperty("accessToken").GetString()!;
    }

    private HttpClient Con(string token)
    {
        var c = new HttpClient { BaseAddress = host.Http.BaseAddress, Timeout = host.Http.Timeout };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    private async Task<string> CuentaActivaAsync(string canal = "email")
    {
        var (id, email, telefono) = await ClienteNuevoAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await host.Http.PostAsJsonAsync("api/cuentas/registro", new { email, password = Password, canal })).StatusCode);
        var codigo = await CodigoAsync(canal, canal == "email" ? email : telefono, "cuenta_verificacion");
        await Datos.JsonAsync(await host.Http.PostAsJsonAsync("api/cuentas/verificacion", new { usuario = email, codigo }), HttpStatusCode.OK);
        return email;
    }

    [Fact]
    public async Task Registro_codigo_por_correo_verificacion_e_inicio_de_sesion_dan_un_token_con_cliente_id()
    {
        var (id, email, _) = await ClienteNuevoAsync();
        var r = await host.Http.PostAsJsonAsync("api/cuentas/registro", new { email = email.ToUpperInvariant(), password = Password, canal = "email" });
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);

        // Before verifying, the right password does not open a session.
        var p = await Problemas.AfirmarAsync(await SesionAsync(email, Password), HttpStatusCode.Forbidden);
        Assert.Equal("cuenta_sin_verificar", p.GetProperty("code").GetString());

        var codigo = await CodigoAsync("email", email, "cuenta_verificacion");
        Assert.Matches("^[0-9]{6}$", codigo);
        await Datos.JsonAsync(await host.Http.PostAsJsonAsync("api/cuentas/verificacion", new { usuario = email, codigo }), HttpStatusCode.OK);

        var sesion = await Datos.JsonAsync(await SesionAsync(email, Password), HttpStatusCode.OK);
        var token = sesion.GetProperty("accessToken").GetString()!;
        var jwt = new JsonWebToken(token);
        Assert.Equal(id, jwt.GetClaim("cliente_id").Value);
        Assert.Contains(jwt.Claims, c => c.Type == "roles" && c.Value == "cliente");
        Assert.True(jwt.ValidTo > DateTime.UtcNow && jwt.ValidTo <= DateTime.UtcNow.AddMinutes(61));

        using var c = Con(token);
        var yo = JsonDocument.Parse(await c.GetStringAsync("api/auth/yo")).RootElement;
        Assert.Equal(id, yo.GetProperty("clienteId").GetString());
        // Their own record, and only theirs.
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"api/clientes/{id}")).StatusCode);
        Assert.True((await c.GetAsync($"api/clientes/{Datos.OtroCliente}")).StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden);

        // The customer's timeline has the account's story.
        var eventos = await host.EscalarAsync<long>(
            "SELECT count(*) FROM eventos_sistema WHERE entidad = 'cliente' AND entidad_id = @id AND tipo IN ('cuenta_registrada', 'cuenta_verificada')", new { id });
        Assert.Equal(2, eventos);
        // Only a hash of the code is stored.
        Assert.Equal(0, await host.EscalarAsync<long>(
            "SELECT count(*) FROM cuentas_codigos k JOIN cuentas c ON c.id = k.cuenta_id WHERE c.usuario = @email AND position(convert_to(@codigo, 'UTF8') IN k.codigo_hash) > 0",
            new { email, codigo }));
    }

    [Fact]
    public async Task Registro_por_whatsapp_manda_el_codigo_al_telefono_del_cliente()
    {
        var email = await CuentaActivaAsync("whatsapp");
        Assert.False(string.IsNullOrEmpty(await TokenAsync(email, Password)));
    }

    [Fact]
    public async Task Correo_desconocido_recibe_la_misma_respuesta_y_no_envia_nada()
    {
        var email = $"nadie.{Guid.NewGuid():N}@example.com";
        var r = await host.Http.PostAsJsonAsync("api/cuentas/registro", new { email, password = Password });
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM notificaciones WHERE destino = @email", new { email }));
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM cuentas WHERE usuario = @email", new { email }));
        await Problemas.AfirmarAsync(await SesionAsync(email, Password), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Datos_invalidos_nombran_el_campo()
    {
        await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/cuentas/registro", new { email = "x@y.com", password = "corta" }), HttpStatusCode.BadRequest, "password");
        await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/cuentas/registro", new { email = "no-es-correo", password = Password }), HttpStatusCode.BadRequest, "email");
        await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/cuentas/registro", new { email = "x@y.com", password = Password, canal = "sms" }), HttpStatusCode.BadRequest, "canal");
        await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/cuentas/verificacion", new { usuario = "x@y.com", codigo = "12" }), HttpStatusCode.BadRequest, "codigo");
        await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/cuentas/sesion", new { usuario = "x@y.com" }), HttpStatusCode.BadRequest, "password");
    }

    [Fact]
    public async Task Un_codigo_muere_tras_cinco_intentos_equivocados_aunque_luego_llegue_el_correcto()
    {
        var (_, email, _) = await ClienteNuevoAsync();
        await host.Http.PostAsJsonAsync("api/cuentas/registro", new { email, password = Password });
        var codigo = await CodigoAsync("email", email, "cuenta_verificacion");
        var equivocado = codigo == "000000" ? "111111" : "000000";
        for (var i = 0; i < 5; i++)
            await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/cuentas/verificacion", new { usuario = email, codigo = equivocado }),
                HttpStatusCode.BadRequest, "codigo");
        await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/cuentas/verificacion", new { usuario = email, codigo }), HttpStatusCode.BadRequest, "codigo");
    }

    [Fact]
    public async Task Cinco_fallos_bloquean_la_cuenta_y_el_restablecimiento_la_libera_y_cierra_las_sesiones()
    {
        var email = await CuentaActivaAsync();
        using var previa = Con(await TokenAsync(email, Password));
        Assert.Equal(HttpStatusCode.OK, (await previa.GetAsync("api/auth/yo")).StatusCode);

        for (var i = 0; i < 4; i++)
            await Problemas.AfirmarAsync(await SesionAsync(email, "no-es-la-clave-1"), HttpStatusCode.Unauthorized);
        var p = await Problemas.AfirmarAsync(await SesionAsync(email, "no-es-la-clave-1"), (HttpStatusCode)423);
        Assert.Equal("cuenta_bloqueada", p.GetProperty("code").GetString());
        // Locked: even the right password is refused, without telling whether it was right.
        var r = await SesionAsync(email, Password);
        await Problemas.AfirmarAsync(r, (HttpStatusCode)423);
        Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(1, await host.EscalarAsync<long>(
            "SELECT count(*) FROM eventos_sistema e JOIN clientes c ON e.entidad_id = c.id::text WHERE lower(c.email) = @email AND e.tipo = 'cuenta_bloqueada'", new { email }));

        Assert.Equal(HttpStatusCode.Accepted, (await host.Http.PostAsJsonAsync("api/cuentas/restablecimiento", new { usuario = email })).StatusCode);
        var codigo = await CodigoAsync("email", email, "cuenta_restablecimiento");
        const string nueva = "otra-clave-muy-distinta-9";
        await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/cuentas/restablecimiento/confirmacion",
            new { usuario = email, codigo, password = "corta" }), HttpStatusCode.BadRequest, "password");
        await Datos.JsonAsync(await host.Http.PostAsJsonAsync("api/cuentas/restablecimiento/confirmacion",
            new { usuario = email, codigo, password = nueva }), HttpStatusCode.OK);

        // The reset closed the session opened before it; the old password is gone, the new one works.
        await Problemas.AfirmarAsync(await previa.GetAsync("api/auth/yo"), HttpStatusCode.Unauthorized);
        await Problemas.AfirmarAsync(await SesionAsync(email, Password), HttpStatusCode.Unauthorized);
        Assert.False(string.IsNullOrEmpty(await TokenAsync(email, nueva)));
        // A used code does not work twice.
        await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/cuentas/restablecimiento/confirmacion",
            new { usuario = email, codigo, password = "tercera-clave-larga-7" }), HttpStatusCode.BadRequest, "codigo");
    }

    [Fact]
    public async Task Cerrar_sesion_invalida_el_token_y_una_sesion_vencida_tambien()
    {
        var email = await CuentaActivaAsync();
        using var c = Con(await TokenAsync(email, Password));
        Assert.Equal(HttpStatusCode.NoContent, (await c.PostAsync("api/cuentas/sesion/cerrar", null)).StatusCode);
        await Problemas.AfirmarAsync(await c.GetAsync("api/auth/yo"), HttpStatusCode.Unauthorized);

        var token = await TokenAsync(email, Password);
        var sid = new JsonWebToken(token).GetClaim("sid").Value;
        await using (var cn = new Npgsql.NpgsqlConnection(host.ConnectionString))
        {
            await cn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("UPDATE sesiones SET expira_en = now() - interval '1 second' WHERE id = @sid::uuid", cn);
            cmd.Parameters.AddWithValue("sid", sid);
            await cmd.ExecuteNonQueryAsync();
        }
        using var vencida = Con(token);
        await Problemas.AfirmarAsync(await vencida.GetAsync("api/auth/yo"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Admin_da_de_alta_personal_que_define_su_clave_con_la_invitacion_y_lo_puede_desactivar()
    {
        using var admin = await host.ClienteAsync("admin");
        var usuario = $"agente{Guid.NewGuid():N}"[..20];
        var email = $"{usuario}@telecable.example.com";
        using (var soporte = await host.ClienteAsync("soporte"))
            await Problemas.AfirmarAsync(await soporte.SendAsync(Datos.Post("api/cuentas/personal",
                new { usuario, nombre = "Agente", email, roles = new[] { "soporte" } }, Guid.NewGuid().ToString())), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await admin.SendAsync(Datos.Post("api/cuentas/personal",
            new { usuario, nombre = "Agente", email, roles = new[] { "cliente" } }, Guid.NewGuid().ToString())), HttpStatusCode.BadRequest, "roles");

        var creada = await Datos.JsonAsync(await admin.SendAsync(Datos.Post("api/cuentas/personal",
            new { usuario, nombre = "Agente de Soporte", email, roles = new[] { "soporte" } }, Guid.NewGuid().ToString())), HttpStatusCode.Created);
        Assert.Equal("pendiente_verificacion", creada.GetProperty("estado").GetString());
        await Problemas.AfirmarAsync(await admin.SendAsync(Datos.Post("api/cuentas/personal",
            new { usuario, nombre = "Otro", email, roles = new[] { "soporte" } }, Guid.NewGuid().ToString())), HttpStatusCode.Conflict);

        var codigo = await CodigoAsync("email", email, "cuenta_invitacion");
        await Datos.JsonAsync(await host.Http.PostAsJsonAsync("api/cuentas/restablecimiento/confirmacion",
            new { usuario, codigo, password = Password }), HttpStatusCode.OK);
        var token = await TokenAsync(usuario, Password);
        using var agente = Con(token);
        Assert.Equal(HttpStatusCode.OK, (await agente.GetAsync("api/tickets")).StatusCode);

        var lista = await Datos.JsonAsync(await admin.GetAsync("api/cuentas/personal?tamano=100"), HttpStatusCode.OK);
        Assert.Contains(lista.GetProperty("elementos").EnumerateArray(), e => e.GetProperty("usuario").GetString() == usuario);

        var id = creada.GetProperty("id").GetString();
        var cambio = await Datos.JsonAsync(await admin.SendAsync(Datos.Patch($"api/cuentas/personal/{id}", new { activa = false })), HttpStatusCode.OK);
        Assert.Equal("desactivada", cambio.GetProperty("estado").GetString());
        await Problemas.AfirmarAsync(await agente.GetAsync("api/tickets"), HttpStatusCode.Unauthorized);
        await Problemas.AfirmarAsync(await SesionAsync(usuario, Password), HttpStatusCode.Unauthorized);
    }
}

/// <summary>The accounts endpoints have a budget per address of their own, far below the catalog's.</summary>
public sealed class HostCuentasLimitadas : HostPrueba
{
    protected override bool CargarDemo => false;
    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?> { ["Limites:CuentasPorMinuto"] = "3" };
}

public sealed class LimiteCuentasTests(HostCuentasLimitadas host) : IClassFixture<HostCuentasLimitadas>
{
    [Fact]
    public async Task Mas_de_tres_intentos_por_minuto_desde_una_direccion_dan_429_aunque_el_catalogo_siga_abierto()
    {
        for (var i = 0; i < 3; i++)
            await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/cuentas/sesion", new { usuario = "alguien", password = "una-clave-cualquiera" }),
                HttpStatusCode.Unauthorized);
        var r = await host.Http.PostAsJsonAsync("api/cuentas/sesion", new { usuario = "alguien", password = "una-clave-cualquiera" });
        await Problemas.AfirmarAsync(r, HttpStatusCode.TooManyRequests);
        Assert.NotNull(r.Headers.RetryAfter);
        await Problemas.AfirmarAsync(await host.Http.PostAsJsonAsync("api/cuentas/restablecimiento", new { usuario = "alguien" }), HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("api/health")).StatusCode);
    }
}
