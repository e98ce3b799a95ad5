using System.Diagnostics.Metrics;
using System.Net;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Clientes;
using Telecable.Domain.Comun;
using Telecable.Domain.Identidad;
using Telecable.Application.Comun;
using Telecable.Infrastructure.Catalogo;
using Telecable.Infrastructure.Datos;
using Telecable.Infrastructure.Pagos;
using ErrorValidacion = Telecable.Domain.Comun.ErrorValidacion;

namespace Telecable.Infrastructure.Clientes;

/// <summary>
/// Customers, their addresses, consents and contracts. Every write is one transaction with its
/// outbox events (ClienteCreado, ClienteActualizado, ConsentimientoActualizado, ContratoCreado,
/// ContratoModificado). Reusable by the onboarding saga: requests are plain records, results are ids.
/// </summary>
public sealed class ServicioClientes(NpgsqlDataSource db, ServicioCatalogo catalogo, TimeProvider reloj, IOptions<OpcionesSpei> spei)
{
    public static readonly IReadOnlySet<string> Origenes = new HashSet<string>(StringComparer.Ordinal)
        { "portal_cliente", "backoffice", "telefono", "sucursal", "tecnico" };
    public static readonly IReadOnlySet<string> EstadosCliente = new HashSet<string>(StringComparer.Ordinal) { "activo", "suspendido", "baja" };

    private static readonly Counter<long> ClientesCreados = Telemetria.Medidor.CreateCounter<long>(
        "telecable.clientes.creados", description: "Clientes dados de alta");
    private static readonly Counter<long> RechazosRfc = Telemetria.Medidor.CreateCounter<long>(
        "telecable.clientes.rfc_duplicado", description: "Altas rechazadas por RFC ya registrado");
    private static readonly Counter<long> ContratosModificados = Telemetria.Medidor.CreateCounter<long>(
        "telecable.contratos.modificados", description: "Cambios de contrato por acción");


    // ------------------------------------------------------------------ create

    /// <summary>
    /// Validates everything (all field errors at once), then inserts customer, installation address
    /// and consent in one transaction. Duplicate non-generic RFC: 409 (the unique index decides races).
    /// </summary>
    public async Task<ClienteCreado> CrearAsync(SolicitudCliente s, string actor, string cid, CancellationToken ct)
    {
        s = s.Normalizada();
        var v = new Validador();
        v.Regla(s.RequiereFactura != false || Telecable.Domain.Facturacion.ReglasCfdiGlobal.FacturaConRecibo(s.Rfc), "rfc",
            "Un cliente que no necesita factura no da RFC (se le emiten notas de venta y entra al CFDI global); para facturar, envíe requiereFactura true.");
        var fiscales = DatosFiscales.Validar(s.Rfc, s.Nombre, s.RegimenFiscal, s.UsoCfdi, s.CpFiscal);
        foreach (var e in fiscales.Errores) v.Agregar(e);
        var email = Email.Validar(s.Email);
        foreach (var e in email.Errores) v.Agregar(e);
        var tel = TelefonoMx.Validar(s.Telefono);
        foreach (var e in tel.Errores) v.Agregar(e);
        ValidarDomicilio(v, s.Domicilio, "domicilio");
        ValidarConsentimiento(v, s.Consentimiento, "consentimiento");
        v.Lanzar();

        var cob = await CoberturaDeAsync(s.Domicilio!.Cp!, "domicilio.cp", ct);
        var f = fiscales.Valor!;
        var ahora = reloj.GetUtcNow();

        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        if (!f.Rfc.EsGenerico) await RechazarRfcDuplicadoAsync(cn, tx, f.Rfc.Valor, ct);
        ClienteCreado creado;
        try
        {
            var (id, numero) = await cn.QuerySingleAsync<(Guid, long)>(new CommandDefinition("""
                INSERT INTO clientes (tipo_persona, nombre, rfc, email, telefono, regimen_fiscal, uso_cfdi, cp_fiscal, zona_id)
                VALUES (@Tipo, @Nombre, @Rfc, @Email, @Telefono, @Regimen, @Uso, @CpFiscal, @ZonaId)
                RETURNING id, numero_cliente
                """, new
            {
                Tipo = f.Rfc.Tipo.ComoTexto(), f.Nombre, Rfc = f.Rfc.Valor, Email = email.Valor!.Valor, Telefono = tel.Valor!.E164,
                Regimen = f.RegimenFiscal.Clave, Uso = f.UsoCfdi.Clave, CpFiscal = f.CpFiscal.Valor, cob.ZonaId,
            }, tx, cancellationToken: ct));
            var domicilioId = await InsertarDomicilioAsync(cn, tx, id, s.Domicilio, cob, ct);
            var consentimientoId = await InsertarConsentimientoAsync(cn, tx, id, s.Consentimiento!, ct);
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("ClienteCreado", "cliente", id.ToString(),
                new { clienteId = id, numeroCliente = numero, rfc = f.Rfc.Valor, zonaId = cob.ZonaId, domicilioId, actor }, cid, ahora), ct);
            await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("ConsentimientoActualizado", "cliente", id.ToString(),
                new { clienteId = id, consentimientoId, s.Consentimiento!.AvisoPrivacidadVersion, s.Consentimiento.AceptaMarketing, s.Consentimiento.Origen }, cid, ahora), ct);
            await tx.CommitAsync(ct);
            creado = new ClienteCreado(id, numero, domicilioId, consentimientoId, cob.ZonaId, 1);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "ux_clientes_rfc")
        {
            RechazosRfc.Add(1);
            throw RfcDuplicado(f.Rfc.Valor);
        }
        ClientesCreados.Add(1, new KeyValuePair<string, object?>("tipo_persona", f.Rfc.Tipo.ComoTexto()));
        return creado;
    }

    private static ErrorConflicto RfcDuplicado(string rfc) =>
        new($"Ya existe un cliente con el RFC {rfc}.", "rfc_duplicado");

    private static async Task RechazarRfcDuplicadoAsync(NpgsqlConnection cn, NpgsqlTransaction tx, string rfc, CancellationToken ct)
    {
        if (await cn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM clientes WHERE rfc = @rfc)", new { rfc }, tx, cancellationToken: ct)))
        {
            RechazosRfc.Add(1);
            throw RfcDuplicado(rfc);
        }
    }

    /// <summary>The customer with this RFC (normalized), or null. Generic RFCs match nobody (many customers share them).</summary>
    public async Task<ClienteResumen?> BuscarPorRfcAsync(string rfc, CancellationToken ct)
    {
        var r = Rfc.Validar(rfc);
        if (!r.EsValido) throw new ErrorValidacion(r.Errores);
        if (r.Valor!.EsGenerico) return null;
        await using var cn = await db.OpenConnectionAsync(ct);
        return await cn.QuerySingleOrDefaultAsync<ClienteResumen>(new CommandDefinition(SqlResumen + " WHERE c.rfc = @rfc",
            new { rfc = r.Valor.Valor }, cancellationToken: ct));
    }

    private static void ValidarDomicilio(Validador v, SolicitudDomicilio? d, string p)
    {
        if (d is null)
        {
            v.Regla(false, p, "El domicilio de instalación es obligatorio.");
            return;
        }
        v.Requerido(d.Calle, $"{p}.calle").Requerido(d.NumeroExterior, $"{p}.numeroExterior", 20).Requerido(d.Colonia, $"{p}.colonia")
         .Regla(d.NumeroInterior is null || d.NumeroInterior.Length <= 20, $"{p}.numeroInterior", "Admite como máximo 20 caracteres.")
         .Regla(d.Referencias is null || d.Referencias.Length <= 500, $"{p}.referencias", "Admite como máximo 500 caracteres.")
         .Regla(d.Latitud is null or (>= -90 and <= 90), $"{p}.latitud", "Entre -90 y 90.")
         .Regla(d.Longitud is null or (>= -180 and <= 180), $"{p}.longitud", "Entre -180 y 180.");
        foreach (var e in CodigoPostal.Validar(d.Cp, $"{p}.cp").Errores) v.Agregar(e);
    }

    private static void ValidarConsentimiento(Validador v, SolicitudConsentimiento? c, string p)
    {
        if (c is null)
        {
            v.Regla(false, p, "El consentimiento (versión del aviso de privacidad aceptada y marketing sí/no) es obligatorio.");
            return;
        }
        v.Requerido(c.AvisoPrivacidadVersion, $"{p}.avisoPrivacidadVersion", 40)
         .Regla(c.AceptaMarketing is not null, $"{p}.aceptaMarketing", "Indique true o false.")
         .Regla(c.Origen is not null && Origenes.Contains(c.Origen), $"{p}.origen", $"Debe ser uno de: {string.Join(", ", Origenes)}.")
         .Regla(c.Ip is null || IPAddress.TryParse(c.Ip, out _), $"{p}.ip", "No es una dirección IP válida.")
         .Regla(c.UserAgent is null || c.UserAgent.Length <= 500, $"{p}.userAgent", "Admite como máximo 500 caracteres.");
    }

    private sealed record Cobertura(string Cp, Guid ZonaId, string Municipio, string Estado);

    /// <summary>Asks the catalog: the postal code must exist there (400) and its zone must be selling (422).</summary>
    private async Task<Cobertura> CoberturaDeAsync(string cp, string campo, CancellationToken ct)
    {
        var c = await catalogo.BuscarCpAsync(cp, campo, ct)
                ?? throw new ErrorValidacion(campo, $"El código postal {cp.Trim()} no está en nuestro catálogo de cobertura.");
        var zona = await catalogo.ObtenerZonaAsync(c.ZonaId.ToString(), ct);
        if (!zona.Activa || zona.Tecnologias.Length == 0)
            throw new ErrorRegla($"La zona {zona.Clave} del código postal {c.Cp} no tiene servicio disponible.", campo);
        return new Cobertura(c.Cp, c.ZonaId, c.Municipio, c.Estado);
    }

    private static Task<Guid> InsertarDomicilioAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid clienteId, SolicitudDomicilio d, Cobertura cob, CancellationToken ct) =>
        cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
            INSERT INTO domicilios (cliente_id, tipo, calle, numero_exterior, numero_interior, colonia, cp, municipio, estado, referencias, latitud, longitud)
            VALUES (@clienteId, 'instalacion', @Calle, @NumeroExterior, @NumeroInterior, @Colonia, @Cp, @Municipio, @Estado, @Referencias, @Latitud, @Longitud)
            RETURNING id
            """, new
        {
            clienteId, Calle = d.Calle!.Trim(), NumeroExterior = d.NumeroExterior!.Trim(), NumeroInterior = d.NumeroInterior?.Trim(),
            Colonia = d.Colonia!.Trim(), cob.Cp, cob.Municipio, cob.Estado, d.Referencias, d.Latitud, d.Longitud,
        }, tx, cancellationToken: ct))!;

    private Task<Guid> InsertarConsentimientoAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid clienteId, SolicitudConsentimiento c, CancellationToken ct) =>
        cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
            INSERT INTO consentimientos (cliente_id, aviso_privacidad_version, acepta_marketing, otorgado_en, ip, origen, user_agent)
            VALUES (@clienteId, @Version, @AceptaMarketing, @Ahora, @Ip::inet, @Origen, @UserAgent)
            RETURNING id
            """, new
        {
            clienteId, Version = c.AvisoPrivacidadVersion!.Trim(), c.AceptaMarketing, Ahora = reloj.GetUtcNow(), c.Ip, c.Origen, c.UserAgent,
        }, tx, cancellationToken: ct))!;

    /// <summary>Adds an installation address to an existing customer (e.g. a second home, or onboarding reusing a customer by RFC).</summary>
    public async Task<Domicilio> AgregarDomicilioAsync(Guid clienteId, SolicitudDomicilio s, CancellationToken ct)
    {
        var v = new Validador();
        ValidarDomicilio(v, s, "domicilio");
        v.Lanzar();
        var cob = await CoberturaDeAsync(s.Cp!, "domicilio.cp", ct);
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        await ExigirClienteAsync(cn, tx, clienteId, ct);
        var id = await InsertarDomicilioAsync(cn, tx, clienteId, s, cob, ct);
        await tx.CommitAsync(ct);
        return await cn.QuerySingleAsync<Domicilio>(new CommandDefinition(SqlDomicilio + " WHERE id = @id", new { id }, cancellationToken: ct));
    }

    private const string SqlDomicilio = """
        SELECT id, tipo, calle, numero_exterior AS numeroexterior, numero_interior AS numerointerior, colonia, cp, municipio, estado,
               referencias, activo
        FROM domicilios
        """;

    // ------------------------------------------------------------------ read

    private const string SqlResumen = """
        SELECT c.id, c.numero_cliente AS numerocliente, c.nombre, c.rfc, c.email, c.telefono, z.clave AS zonaclave, c.estado, c.version
        FROM clientes c LEFT JOIN zonas z ON z.id = c.zona_id
        """;

    public async Task<Cliente> ObtenerAsync(Guid id, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var c = await cn.QuerySingleOrDefaultAsync<Cliente>(new CommandDefinition("""
            SELECT c.id, c.numero_cliente AS numerocliente, c.tipo_persona AS tipopersona, c.nombre, c.rfc, c.email, c.telefono,
                   c.regimen_fiscal AS regimenfiscal, c.uso_cfdi AS usocfdi, c.cp_fiscal AS cpfiscal, c.zona_id AS zonaid,
                   z.clave AS zonaclave, c.estado, c.contribuyente_ieps_telecom AS contribuyenteiepstelecom,
                   c.solicita_desglose_ieps AS solicitadesgloseieps, c.created_at AS createdat, c.updated_at AS updatedat, c.version
            FROM clientes c LEFT JOIN zonas z ON z.id = c.zona_id WHERE c.id = @id
            """, new { id }, cancellationToken: ct)) ?? throw new ErrorNoEncontrado("cliente", id.ToString());
        var domicilios = await cn.QueryAsync<Domicilio>(new CommandDefinition(SqlDomicilio + " WHERE cliente_id = @id ORDER BY created_at, id",
            new { id }, cancellationToken: ct));
        var consentimientos = await ConsentimientosAsync(cn, id, 1, ct);
        return c with { Domicilios = domicilios.AsList(), ConsentimientoVigente = consentimientos.FirstOrDefault() };
    }

    /// <summary>Back-office search: buscar matches name (substring), RFC, email, phone or numero_cliente; filters by zone and state.</summary>
    public async Task<Pagina<ClienteResumen>> BuscarAsync(string? buscar, string? zona, string? estado, Paginacion pagina, CancellationToken ct)
    {
        var v = new Validador();
        if (estado is not null) v.Regla(EstadosCliente.Contains(estado), "estado", "Debe ser activo, suspendido o baja.");
        if (buscar is not null) v.Regla(buscar.Trim().Length is >= 2 and <= 100 && !buscar.Any(char.IsControl), "buscar", "Entre 2 y 100 caracteres, sin caracteres de control.");
        v.Lanzar();
        Guid? zonaId = zona is null ? null : (await catalogo.ObtenerZonaAsync(zona, ct)).Id;
        var texto = buscar?.Trim();
        var digitos = texto is null ? null : new string(texto.Where(char.IsAsciiDigit).ToArray());
        long? numero = digitos is { Length: > 0 and <= 15 } && digitos.Length == texto!.Length ? long.Parse(digitos) : null;
        var tel = texto is null ? null : TelefonoMx.TryParse(texto, out var t) ? t!.E164 : null;
        const string filtro = """
            WHERE (@Zona::uuid IS NULL OR c.zona_id = @Zona)
              AND (@Estado::text IS NULL OR c.estado = @Estado)
              AND (@Texto::text IS NULL
                   OR lower(c.nombre) LIKE '%' || lower(@Patron) || '%' ESCAPE '\'
                   OR c.rfc = upper(@Texto) OR c.rfc LIKE upper(@Patron) || '%' ESCAPE '\'
                   OR lower(c.email) = lower(@Texto)
                   OR c.telefono = @Telefono
                   OR c.numero_cliente = @Numero)
            """;
        var p = new
        {
            Zona = zonaId, Estado = estado, Texto = texto, Patron = texto?.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_"),
            Telefono = tel, Numero = numero,
        };
        await using var cn = await db.OpenConnectionAsync(ct);
        return await Paginado.LeerAsync<ClienteResumen>(cn, SqlResumen + "\n" + filtro, "c.nombre, c.numero_cliente", p, pagina, ct);
    }

    // ------------------------------------------------------------------ update

    /// <summary>Applies a partial change under optimistic concurrency: 409 (version_desactualizada) when the version is stale.</summary>
    public async Task<Cliente> ActualizarAsync(Guid id, CambioCliente c, int version, string actor, string cid, CancellationToken ct)
    {
        var actual = await ObtenerAsync(id, ct);
        var v = new Validador();
        var rfc = c.Rfc?.Trim().ToUpperInvariant();
        if (rfc is not null && MotivoCambioRfc(actual.Rfc, rfc) is { } motivoRfc) v.Agregar(motivoRfc);
        var fiscales = DatosFiscales.Validar(rfc ?? actual.Rfc, c.Nombre ?? actual.Nombre, c.RegimenFiscal ?? actual.RegimenFiscal,
            c.UsoCfdi ?? actual.UsoCfdi, c.CpFiscal ?? actual.CpFiscal);
        foreach (var e in fiscales.Errores) v.Agregar(e);
        string? email = null, tel = null;
        if (c.Email is not null) { var r = Email.Validar(c.Email); email = r.Valor?.Valor; foreach (var e in r.Errores) v.Agregar(e); }
        if (c.Telefono is not null) { var r = TelefonoMx.Validar(c.Telefono); tel = r.Valor?.E164; foreach (var e in r.Errores) v.Agregar(e); }
        if (c.Estado is not null) v.Regla(EstadosCliente.Contains(c.Estado), "estado", "Debe ser activo, suspendido o baja.");
        v.Regla(c.Rfc is not null || c.Nombre is not null || c.Email is not null || c.Telefono is not null || c.RegimenFiscal is not null || c.UsoCfdi is not null
                || c.CpFiscal is not null || c.Estado is not null || c.ContribuyenteIepsTelecom is not null || c.SolicitaDesgloseIeps is not null,
            "cuerpo", "No hay cambios que aplicar.");
        v.Lanzar();
        var f = fiscales.Valor!;

        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        if (f.Rfc.Valor != actual.Rfc) await RechazarRfcDuplicadoAsync(cn, tx, f.Rfc.Valor, ct);
        var n = await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE clientes SET rfc = @Rfc, tipo_persona = @Tipo, nombre = @Nombre, regimen_fiscal = @Regimen, uso_cfdi = @Uso, cp_fiscal = @CpFiscal,
                   email = coalesce(@email, email), telefono = coalesce(@tel, telefono), estado = coalesce(@Estado, estado),
                   contribuyente_ieps_telecom = coalesce(@ContribuyenteIepsTelecom, contribuyente_ieps_telecom),
                   solicita_desglose_ieps = coalesce(@SolicitaDesgloseIeps, solicita_desglose_ieps),
                   version = version + 1
            WHERE id = @id AND version = @version
            """, new { id, version, Rfc = f.Rfc.Valor, Tipo = f.Rfc.Tipo.ComoTexto(), f.Nombre, Regimen = f.RegimenFiscal.Clave, Uso = f.UsoCfdi.Clave, CpFiscal = f.CpFiscal.Valor, email, tel, c.Estado,
                c.ContribuyenteIepsTelecom, c.SolicitaDesgloseIeps },
            tx, cancellationToken: ct));
        if (n == 0)
            throw new ErrorConflicto($"El cliente cambió desde que lo leyó (versión actual {await VersionAsync(cn, tx, id, ct)}, enviada {version}); vuelva a leerlo.", "version_desactualizada");
        var cambios = new[] { ("rfc", rfc), ("nombre", c.Nombre), ("email", c.Email), ("telefono", c.Telefono), ("regimenFiscal", c.RegimenFiscal),
            ("usoCfdi", c.UsoCfdi), ("cpFiscal", c.CpFiscal), ("estado", c.Estado),
            ("contribuyenteIepsTelecom", c.ContribuyenteIepsTelecom?.ToString()), ("solicitaDesgloseIeps", c.SolicitaDesgloseIeps?.ToString()) }
            .Where(x => x.Item2 is not null).Select(x => x.Item1).ToArray();
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("ClienteActualizado", "cliente", id.ToString(),
            new { clienteId = id, campos = cambios, version = version + 1, actor }, cid, reloj.GetUtcNow()), ct);
        await tx.CommitAsync(ct);
        await cn.CloseAsync(); // returned to the pool before the read takes one (see CrearContratoAsync)
        return await ObtenerAsync(id, ct);
    }

    /// <summary>Why <paramref name="nuevo"/> cannot replace the customer's RFC, or null: only a customer without an RFC of their own
    /// (the generic one, "no necesita factura") gets one; an RFC of their own is who they are for SAT and never changes.</summary>
    public static ErrorCampo? MotivoCambioRfc(string actual, string nuevo) =>
        actual == nuevo || Telecable.Domain.Facturacion.ReglasCfdiGlobal.FacturaConRecibo(actual) ? null
            : new ErrorCampo("rfc", $"El RFC de un cliente no cambia (tiene {actual}); para otro RFC se da de alta otro cliente.");

    /// <summary>
    /// Gives a customer their own fiscal data inside the caller's transaction (issue 20: the invoice of a receipt): RFC (only over
    /// the generic one, <see cref="MotivoCambioRfc"/>), name, regime, use and fiscal postal code, so that from now on the billing
    /// run gives them individual CFDIs. 409 rfc_duplicado when another customer has that RFC. Audited as ClienteActualizado.
    /// </summary>
    public static async Task AsignarDatosFiscalesAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid id, DatosFiscales f, string actor, string cid,
        DateTimeOffset ahora, CancellationToken ct)
    {
        var actual = await cn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT rfc FROM clientes WHERE id = @id FOR UPDATE", new { id }, tx, cancellationToken: ct))
            ?? throw new ErrorNoEncontrado("cliente", id.ToString());
        if (MotivoCambioRfc(actual, f.Rfc.Valor) is { } motivo) throw new ErrorValidacion([motivo]);
        if (actual != f.Rfc.Valor) await RechazarRfcDuplicadoAsync(cn, tx, f.Rfc.Valor, ct);
        int version;
        try
        {
            version = await cn.ExecuteScalarAsync<int>(new CommandDefinition("""
                UPDATE clientes SET rfc = @Rfc, tipo_persona = @Tipo, nombre = @Nombre, regimen_fiscal = @Regimen, uso_cfdi = @Uso, cp_fiscal = @Cp,
                       version = version + 1
                WHERE id = @id RETURNING version
                """, new { id, Rfc = f.Rfc.Valor, Tipo = f.Rfc.Tipo.ComoTexto(), f.Nombre, Regimen = f.RegimenFiscal.Clave, Uso = f.UsoCfdi.Clave, Cp = f.CpFiscal.Valor },
                tx, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "ux_clientes_rfc")
        {
            // Another customer took the RFC between the check and the update: the unique index decides.
            RechazosRfc.Add(1);
            throw RfcDuplicado(f.Rfc.Valor);
        }
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("ClienteActualizado", "cliente", id.ToString(),
            new { clienteId = id, campos = new[] { "rfc", "nombre", "regimenFiscal", "usoCfdi", "cpFiscal" }, version, actor }, cid, ahora), ct);
    }

    private static Task<int> VersionAsync(NpgsqlConnection cn, NpgsqlTransaction tx, Guid id, CancellationToken ct) =>
        cn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT version FROM clientes WHERE id = @id", new { id }, tx, cancellationToken: ct));

    // ------------------------------------------------------------------ consents

    /// <summary>Appends a consent (never overwrites): the latest row is the one in force.</summary>
    public async Task<Consentimiento> RegistrarConsentimientoAsync(Guid clienteId, SolicitudConsentimiento s, string cid, CancellationToken ct)
    {
        var v = new Validador();
        ValidarConsentimiento(v, s, "consentimiento");
        v.Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        await ExigirClienteAsync(cn, tx, clienteId, ct);
        var id = await InsertarConsentimientoAsync(cn, tx, clienteId, s, ct);
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("ConsentimientoActualizado", "cliente", clienteId.ToString(),
            new { clienteId, consentimientoId = id, s.AvisoPrivacidadVersion, s.AceptaMarketing, s.Origen }, cid, reloj.GetUtcNow()), ct);
        await tx.CommitAsync(ct);
        return (await ConsentimientosAsync(cn, clienteId, 1, ct))[0];
    }

    public async Task<Pagina<Consentimiento>> ConsentimientosAsync(Guid clienteId, Paginacion p, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await ExigirClienteAsync(cn, null, clienteId, ct);
        return p.De(await ConsentimientosAsync(cn, clienteId, 1000, ct));
    }

    private static async Task<IReadOnlyList<Consentimiento>> ConsentimientosAsync(NpgsqlConnection cn, Guid clienteId, int limite, CancellationToken ct) =>
        (await cn.QueryAsync<Consentimiento>(new CommandDefinition("""
            SELECT id, aviso_privacidad_version AS avisoprivacidadversion, acepta_marketing AS aceptamarketing, otorgado_en AS otorgadoen,
                   host(ip) AS ip, origen, user_agent AS useragent
            FROM consentimientos WHERE cliente_id = @clienteId ORDER BY otorgado_en DESC, id DESC LIMIT @limite
            """, new { clienteId, limite }, cancellationToken: ct))).AsList();

    private static async Task ExigirClienteAsync(NpgsqlConnection cn, NpgsqlTransaction? tx, Guid clienteId, CancellationToken ct)
    {
        if (!await cn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM clientes WHERE id = @clienteId)", new { clienteId }, tx, cancellationToken: ct)))
            throw new ErrorNoEncontrado("cliente", clienteId.ToString());
    }

    // ------------------------------------------------------------------ contracts

    private const string SqlContrato = """
        SELECT k.id, k.cliente_id AS clienteid, k.plan_id AS planid, k.combo_id AS comboid, coalesce(p.nombre, cb.nombre) AS producto,
               k.promocion_id AS promocionid, k.zona_id AS zonaid, z.clave AS zonaclave, k.domicilio_id AS domicilioid,
               k.precio_pactado AS preciopactado, to_char(k.fecha_inicio, 'YYYY-MM-DD') AS fechainicio,
               to_char(k.fecha_activacion, 'YYYY-MM-DD') AS fechaactivacion, to_char(k.fecha_cancelacion, 'YYYY-MM-DD') AS fechacancelacion,
               k.estado, k.dia_corte::int AS diacorte, k.version
        FROM contratos k JOIN zonas z ON z.id = k.zona_id
        LEFT JOIN planes p ON p.id = k.plan_id LEFT JOIN combos cb ON cb.id = k.combo_id
        """;

    /// <summary>
    /// Signs a contract for a plan or combo at an address of the customer: the catalog quotes it in
    /// the address's zone (422 when not sold there); the price agreed is the monthly price before
    /// taxes and promotion, and the promotion in force is attached.
    /// </summary>
    public async Task<Contrato> CrearContratoAsync(Guid clienteId, SolicitudContrato s, string actor, string cid, CancellationToken ct)
    {
        new Validador()
            .Regla((s.PlanId is null) != (s.ComboId is null), "planId", "Indique exactamente uno: planId o comboId.")
            .Regla(s.DiaCorte is null or (>= 1 and <= 28), "diaCorte", "Entre 1 y 28.")
            .Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        await ExigirClienteAsync(cn, null, clienteId, ct);
        var dom = await cn.QuerySingleOrDefaultAsync<(Guid Id, string Cp)?>(new CommandDefinition("""
            SELECT id, cp FROM domicilios WHERE cliente_id = @clienteId AND activo AND tipo = 'instalacion' AND (@Dom::uuid IS NULL OR id = @Dom)
            ORDER BY created_at DESC LIMIT 1
            """, new { clienteId, Dom = s.DomicilioId }, cancellationToken: ct));
        if (dom is null)
            throw s.DomicilioId is null
                ? new ErrorRegla("El cliente no tiene domicilio de instalación activo.", "domicilioId")
                : new ErrorNoEncontrado("domicilio de instalación del cliente", s.DomicilioId.Value.ToString());
        var inicio = s.FechaInicio ?? catalogo.Hoy;
        // The cut-off day comes from the catalog's allowed days (dias_corte_permitidos); without one, the allowed day
        // nearest on or after the start day.
        var permitidos = (await cn.QueryAsync<int>(new CommandDefinition("SELECT dia::int FROM dias_corte_permitidos ORDER BY dia", cancellationToken: ct))).ToList();
        if (s.DiaCorte is { } pedido && permitidos.Count > 0 && !permitidos.Contains(pedido))
            throw new ErrorValidacion("diaCorte", $"Elija un día de corte del catálogo: {string.Join(", ", permitidos)}.");
        var diaCorte = s.DiaCorte ?? Domain.Facturacion.CicloFacturacion.DiaPorDefecto(inicio, permitidos);
        // Closed while the quote takes a connection of its own: held, a burst of sign-ups (bench/AltaCarga.sh) had every pooled
        // connection held by a contract waiting for a second one, PostgreSQL idle, until the pool's timeout (AltaUnaConexionTests).
        await cn.CloseAsync();
        var oferta = await catalogo.CotizarAsync(new SolicitudCotizacion(null, dom.Value.Cp, s.PlanId, s.ComboId, inicio), ct);
        await cn.OpenAsync(ct);

        await using var tx = await cn.BeginTransactionAsync(ct);
        var id = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
            INSERT INTO contratos (cliente_id, plan_id, combo_id, promocion_id, zona_id, domicilio_id, precio_pactado, fecha_inicio, dia_corte)
            VALUES (@clienteId, @PlanId, @ComboId, @Promo, @ZonaId, @Dom, @Precio, @Inicio::date, @DiaCorte)
            RETURNING id
            """, new
        {
            clienteId, oferta.PlanId, oferta.ComboId, Promo = oferta.Cotizacion.Promocion?.Id, oferta.ZonaId, Dom = dom.Value.Id,
            Precio = oferta.Cotizacion.Subtotal, Inicio = inicio.ToDateTime(TimeOnly.MinValue), DiaCorte = (short)diaCorte,
        }, tx, cancellationToken: ct));
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("ContratoCreado", "contrato", id.ToString(),
            new { contratoId = id, clienteId, oferta.PlanId, oferta.ComboId, oferta.ZonaId, precioPactado = oferta.Cotizacion.Subtotal,
                promocionId = oferta.Cotizacion.Promocion?.Id, actor }, cid, reloj.GetUtcNow()), ct);
        await tx.CommitAsync(ct);
        return await ContratoAsync(cn, id, ct);
    }

    public async Task<Pagina<Contrato>> ContratosAsync(Guid clienteId, Paginacion p, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        await ExigirClienteAsync(cn, null, clienteId, ct);
        return await Paginado.LeerAsync<Contrato>(cn, SqlContrato + " WHERE k.cliente_id = @clienteId", "k.created_at DESC, k.id", new { clienteId }, p, ct);
    }

    public async Task<Contrato> ObtenerContratoAsync(Guid id, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await ContratoAsync(cn, id, ct);
    }

    private static async Task<Contrato> ContratoAsync(NpgsqlConnection cn, Guid id, CancellationToken ct) =>
        await cn.QuerySingleOrDefaultAsync<Contrato>(new CommandDefinition(SqlContrato + " WHERE k.id = @id", new { id }, cancellationToken: ct))
        ?? throw new ErrorNoEncontrado("contrato", id.ToString());

    /// <summary>Plan change, activation, suspension, reactivation or cancellation, with allowed transitions and optimistic concurrency.</summary>
    public async Task<Contrato> ModificarContratoAsync(Guid id, CambioContrato c, int version, string actor, string cid, CancellationToken ct)
    {
        new Validador().Requerido(c.Accion, "accion", 30).Lanzar();
        var actual = await ObtenerContratoAsync(id, ct);
        if (actual.Version != version) throw ContratoDesactualizado(version, actual.Version);
        var nuevoEstado = EstadosContrato.Aplicar(actual.Estado, c.Accion!);
        var hoy = catalogo.Hoy;
        Oferta? oferta = null;
        if (c.Accion == EstadosContrato.AccionCambiarPlan)
        {
            new Validador().Regla((c.PlanId is null) != (c.ComboId is null), "planId", "Indique exactamente uno: planId o comboId.").Lanzar();
            if (c.PlanId == actual.PlanId && c.ComboId == actual.ComboId)
                throw new ErrorRegla("El contrato ya tiene ese plan.", c.PlanId is null ? "comboId" : "planId");
            oferta = await catalogo.CotizarAsync(new SolicitudCotizacion(actual.ZonaId.ToString(), null, c.PlanId, c.ComboId, hoy), ct);
        }
        else if (c.PlanId is not null || c.ComboId is not null)
            throw new ErrorValidacion("planId", "Solo la acción cambiar_plan lleva planId o comboId.");

        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        var hoyDt = hoy.ToDateTime(TimeOnly.MinValue);
        var n = await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE contratos SET estado = @nuevoEstado,
                   plan_id = CASE WHEN @CambiaPlan THEN @PlanId ELSE plan_id END,
                   combo_id = CASE WHEN @CambiaPlan THEN @ComboId ELSE combo_id END,
                   precio_pactado = coalesce(@Precio, precio_pactado),
                   promocion_id = CASE WHEN @CambiaPlan THEN @Promo ELSE promocion_id END,
                   fecha_activacion = CASE WHEN @nuevoEstado = 'activo' AND fecha_activacion IS NULL THEN greatest(@Hoy::date, fecha_inicio) ELSE fecha_activacion END,
                   fecha_cancelacion = CASE WHEN @nuevoEstado = 'cancelado' THEN @Hoy::date ELSE fecha_cancelacion END,
                   version = version + 1
            WHERE id = @id AND version = @version AND estado = @EstadoAnterior
            """, new
        {
            id, version, nuevoEstado, CambiaPlan = oferta is not null, oferta?.PlanId, oferta?.ComboId, Precio = oferta?.Cotizacion.Subtotal,
            Promo = oferta?.Cotizacion.Promocion?.Id, Hoy = hoyDt, EstadoAnterior = actual.Estado,
        }, tx, cancellationToken: ct));
        if (n == 0) throw ContratoDesactualizado(version, actual.Version + 1);
        await Outbox.Outbox.AgregarAsync(cn, tx, EventoDominio.Crear("ContratoModificado", "contrato", id.ToString(),
            new { contratoId = id, actual.ClienteId, accion = c.Accion, estadoAnterior = actual.Estado, estadoNuevo = nuevoEstado,
                planAnterior = actual.PlanId, comboAnterior = actual.ComboId, oferta?.PlanId, oferta?.ComboId,
                precioPactado = oferta?.Cotizacion.Subtotal ?? actual.PrecioPactado, version = version + 1, actor }, cid, reloj.GetUtcNow()), ct);
        await tx.CommitAsync(ct);
        ContratosModificados.Add(1, new KeyValuePair<string, object?>("accion", c.Accion));
        return await ContratoAsync(cn, id, ct);
    }

    private static ErrorConflicto ContratoDesactualizado(int enviada, int actual) =>
        new($"El contrato cambió desde que lo leyó (versión enviada {enviada}, actual {actual}); vuelva a leerlo.", "version_desactualizada");

    // ------------------------------------------------------------------ 360° state

    /// <summary>Contracts, balance due, routers and open tickets of one customer, in one call.</summary>
    public async Task<EstadoCliente> EstadoAsync(Guid id, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var cliente = await cn.QuerySingleOrDefaultAsync<ClienteResumen>(new CommandDefinition(SqlResumen + " WHERE c.id = @id", new { id }, cancellationToken: ct))
                      ?? throw new ErrorNoEncontrado("cliente", id.ToString());
        var contratos = (await cn.QueryAsync<Contrato>(new CommandDefinition(SqlContrato + " WHERE k.cliente_id = @id ORDER BY k.created_at DESC, k.id",
            new { id }, cancellationToken: ct))).AsList();
        var (pendiente, numero, aFavor) = await cn.QuerySingleAsync<(decimal, int, decimal)>(new CommandDefinition("""
            SELECT coalesce(sum(f.total - f.acreditado - coalesce(a.aplicado, 0)), 0)::numeric(12,2), count(*)::int,
                   coalesce((SELECT saldo FROM saldos_a_favor s WHERE s.cliente_id = @id), 0)::numeric(12,2)
            FROM facturas f
            LEFT JOIN (SELECT factura_id, sum(monto) AS aplicado FROM pago_aplicaciones GROUP BY factura_id) a ON a.factura_id = f.id
            WHERE f.cliente_id = @id AND f.estado = 'timbrada' AND f.total - f.acreditado > coalesce(a.aplicado, 0)
            """, new { id }, cancellationToken: ct));
        var routers = (await cn.QueryAsync<RouterResumen>(new CommandDefinition("""
            SELECT r.id, r.serial, r.modelo, r.contrato_id AS contratoid, e.estado, e.reportado_en AS reportadoen
            FROM routers r LEFT JOIN router_estado e ON e.router_id = r.id
            WHERE r.cliente_id = @id ORDER BY r.serial
            """, new { id }, cancellationToken: ct))).AsList();
        var tickets = (await cn.QueryAsync<TicketResumen>(new CommandDefinition("""
            SELECT id, numero, tipo, estado, prioridad, to_char(fecha_programada, 'YYYY-MM-DD') AS fechaprogramada, descripcion
            FROM tickets WHERE cliente_id = @id AND estado NOT IN ('cerrado', 'cancelado') ORDER BY created_at DESC
            """, new { id }, cancellationToken: ct))).AsList();
        var clabe = await ReferenciasSpei.ClabeAsync(cn, id, spei.Value.PrefijoClabe, ct);
        return new EstadoCliente(cliente, contratos, new Saldo(pendiente, numero, aFavor, Math.Max(0, pendiente - aFavor)), routers, tickets, clabe);
    }
}
