using System.Diagnostics.Metrics;
using Dapper;
using Npgsql;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Catalogo;
using Telecable.Domain.Comun;
using Telecable.Domain.Identidad;
using Telecable.Application.Comun;
using Telecable.Infrastructure.Datos;
using ErrorValidacion = Telecable.Domain.Comun.ErrorValidacion;

namespace Telecable.Infrastructure.Catalogo;

public sealed record FiltroPlanes(string? Zona, string? Tecnologia, int? VelocidadMin, decimal? PrecioMax, string? Tipo,
    string? Orden, Paginacion Paginas);

public sealed record ZonaResumen
{
    public Guid Id { get; init; }
    public string Clave { get; init; } = "";
    public string Nombre { get; init; } = "";
    public string MunicipioClave { get; init; } = "";
    public bool Activa { get; init; }
    public string[] Tecnologias { get; init; } = [];
}

/// <summary>A plan as sold in a zone today: its zone price, the promotions in force and the quote (MXN, IVA apart).</summary>
public sealed record PlanEnZona(Guid Id, string Clave, string Nombre, string? Descripcion, string Tipo, string? Tecnologia,
    int? VelocidadBajadaMbps, int? VelocidadSubidaMbps, int? Canales, int? Lineas, decimal PrecioMensual,
    IReadOnlyList<Promocion> Promociones, Cotizacion Cotizacion);

public sealed record ComboEnZona(Guid Id, string Clave, string Nombre, string? Descripcion, IReadOnlyList<ParteCotizable> Partes,
    IReadOnlyList<Promocion> Promociones, Cotizacion Cotizacion);

/// <summary>What a postal code can buy: its zone, technologies, plans and combos.</summary>
public sealed record CoberturaCp(string Cp, string Municipio, string Estado, IReadOnlyList<string> Colonias, ZonaResumen Zona,
    IReadOnlyList<PlanEnZona> Planes, IReadOnlyList<ComboEnZona> Combos);

/// <summary>Quote request: a zone (id or clave) or a postal code, and exactly one of plan or combo.</summary>
public sealed record SolicitudCotizacion(string? Zona, string? Cp, Guid? PlanId, Guid? ComboId, DateOnly? Fecha);

/// <summary>A quote of a plan or combo in a zone on a date, priced per part (what contracts and invoices use).</summary>
public sealed record Oferta(Guid ZonaId, Guid? PlanId, Guid? ComboId, string Nombre, DateOnly Fecha, Cotizacion Cotizacion);

public sealed record SolicitudZona(string? Clave, string? Nombre, string? MunicipioClave, string[]? Tecnologias, string[]? CodigosPostales);
public sealed record SolicitudPlan(string? Clave, string? Nombre, string? Descripcion, string? Tipo, string? Tecnologia,
    int? VelocidadBajadaMbps, int? VelocidadSubidaMbps, int? Canales, int? Lineas, string? ClaveProdServ);
public sealed record CambioPlan(string? Nombre, string? Descripcion, bool? Activo);
public sealed record SolicitudPrecio(string? Zona, decimal? PrecioMensual, DateOnly? VigenteDesde);
public sealed record SolicitudCombo(string? Clave, string? Nombre, string? Descripcion, ParteCombo[]? Partes);
public sealed record ParteCombo(Guid? PlanId, decimal? PrecioMensual);
public sealed record SolicitudPromocion(string? Clave, string? Nombre, string? TipoDescuento, decimal? Valor, int? Meses,
    DateOnly? VigenteDesde, DateOnly? VigenteHasta, Guid? PlanId, Guid? ComboId, string? Zona);

/// <summary>
/// The catalog: zones and their technologies, plans with prices per zone, combos, promotions; the
/// quote (<see cref="CotizarAsync"/>) that customers, onboarding and billing use. Reads are small
/// (tens of plans per zone), so filtering on the final price, sorting and paging run in memory
/// after one query.
/// </summary>
public sealed class ServicioCatalogo(NpgsqlDataSource db, TimeProvider reloj)
{
    private static readonly Counter<long> Cotizaciones = Telemetria.Medidor.CreateCounter<long>(
        "telecable.catalogo.cotizaciones", description: "Cotizaciones de planes y combos");

    public DateOnly Hoy => reloj.Hoy();

    // ---------------------------------------------------------------- cut-off days

    /// <summary>The catalog's allowed cut-off days (dias_corte_permitidos) and the default for a contract starting today
    /// (the allowed day on or after today's day, as sign-up picks it when none is chosen).</summary>
    public async Task<DiasCorte> DiasCorteAsync(CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var dias = (await cn.QueryAsync<int>(new CommandDefinition("SELECT dia::int FROM dias_corte_permitidos ORDER BY dia", cancellationToken: ct))).ToList();
        var hoy = Hoy;
        var porDefecto = Domain.Facturacion.CicloFacturacion.DiaPorDefecto(hoy, dias);
        return new DiasCorte(dias, porDefecto, Domain.Facturacion.CicloFacturacion.SiguienteCorte(hoy, porDefecto));
    }

    // ---------------------------------------------------------------- zones

    public async Task<Pagina<ZonaResumen>> ListarZonasAsync(Paginacion p, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await Paginado.LeerAsync<ZonaResumen>(cn, SqlZona, "clave", new { Hoy = HoyParam }, p, ct);
    }

    private const string SqlZona = """
        SELECT z.id, z.clave, z.nombre, z.municipio_clave AS municipioclave, z.activa,
               coalesce((SELECT array_agg(zt.tecnologia_clave ORDER BY zt.tecnologia_clave) FROM zona_tecnologias zt
                         WHERE zt.zona_id = z.id AND zt.disponible_desde <= @Hoy::date), '{}') AS tecnologias
        FROM zonas z
        """;

    /// <summary>A zone by id or clave (case-insensitive); 404 when unknown.</summary>
    public async Task<ZonaResumen> ObtenerZonaAsync(string zona, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        return await ZonaAsync(cn, zona, ct);
    }

    private async Task<ZonaResumen> ZonaAsync(NpgsqlConnection cn, string zona, CancellationToken ct)
    {
        if (zona.Length > 60 || zona.Any(char.IsControl)) throw new ErrorNoEncontrado("zona", "?");
        var id = Guid.TryParse(zona, out var g) ? g : (Guid?)null;
        var z = await cn.QuerySingleOrDefaultAsync<ZonaResumen>(new CommandDefinition(
            SqlZona + (id is null ? " WHERE z.clave = upper(@Zona)" : " WHERE z.id = @Id"),
            new { Zona = zona.Trim(), Id = id, Hoy = HoyParam }, cancellationToken: ct));
        return z ?? throw new ErrorNoEncontrado("zona", zona);
    }

    private DateTime HoyParam => Hoy.ToDateTime(TimeOnly.MinValue);

    public async Task<ZonaResumen> CrearZonaAsync(SolicitudZona s, CancellationToken ct)
    {
        var v = new Validador()
            .Requerido(s.Clave, "clave", 20).Requerido(s.Nombre, "nombre")
            .Regla(s.MunicipioClave is { Length: 5 } m && m.All(char.IsAsciiDigit), "municipioClave", "Debe ser la clave INEGI de 5 dígitos.")
            .Regla(s.Tecnologias is { Length: > 0 }, "tecnologias", "Indique al menos una tecnología (FTTH, HFC_DOCSIS...).");
        if (s.Clave is not null) v.Regla(System.Text.RegularExpressions.Regex.IsMatch(s.Clave.Trim().ToUpperInvariant(), "^[A-Z0-9_]{2,20}$"), "clave", "Solo letras, dígitos y guion bajo (2 a 20).");
        foreach (var cp in s.CodigosPostales ?? [])
            if (!CodigoPostal.TryParse(cp, out _)) v.Regla(false, "codigosPostales", $"'{cp}' no es un código postal de 5 dígitos.");
        v.Lanzar();

        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        Guid id;
        try
        {
            id = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition(
                "INSERT INTO zonas (clave, nombre, municipio_clave) VALUES (upper(@Clave), @Nombre, @MunicipioClave) RETURNING id",
                new { Clave = s.Clave!.Trim(), Nombre = s.Nombre!.Trim(), s.MunicipioClave }, tx, cancellationToken: ct));
            foreach (var t in s.Tecnologias!.Distinct(StringComparer.OrdinalIgnoreCase))
                await cn.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO zona_tecnologias (zona_id, tecnologia_clave, disponible_desde) VALUES (@id, upper(@t), @Hoy::date)",
                    new { id, t, Hoy = HoyParam }, tx, cancellationToken: ct));
            foreach (var cp in (s.CodigosPostales ?? []).Select(c => c.Trim()).Distinct())
                await cn.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO codigos_postales (cp, zona_id, municipio_clave) VALUES (@cp, @id, @MunicipioClave)",
                    new { cp, id, s.MunicipioClave }, tx, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ErrorConflicto($"Ya existe: {e.ConstraintName switch { "zonas_clave_key" => "una zona con esa clave", "codigos_postales_pkey" => "uno de los códigos postales en otra zona", _ => e.ConstraintName }}.", "duplicado");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new ErrorRegla(e.ConstraintName?.Contains("tecnologia") == true ? "Tecnología desconocida." : "Municipio desconocido.",
                e.ConstraintName?.Contains("tecnologia") == true ? "tecnologias" : "municipioClave");
        }
        await tx.CommitAsync(ct);
        return await ZonaAsync(cn, id.ToString(), ct);
    }

    // ---------------------------------------------------------------- plans

    private sealed record FilaPlan
    {
        public Guid Id { get; init; }
        public string Clave { get; init; } = "";
        public string Nombre { get; init; } = "";
        public string? Descripcion { get; init; }
        public string Tipo { get; init; } = "";
        public string? Tecnologia { get; init; }
        public int? VelocidadBajadaMbps { get; init; }
        public int? VelocidadSubidaMbps { get; init; }
        public int? Canales { get; init; }
        public int? Lineas { get; init; }
        public string ClaveProdServ { get; init; } = "";
        public decimal PrecioMensual { get; init; }
    }

    private sealed record FilaPromocion
    {
        public Guid Id { get; init; }
        public string Clave { get; init; } = "";
        public string Nombre { get; init; } = "";
        public string TipoDescuento { get; init; } = "";
        public decimal Valor { get; init; }
        public int Meses { get; init; }
        public DateTime VigenteDesde { get; init; }
        public DateTime VigenteHasta { get; init; }
        public Guid? PlanId { get; init; }
        public Guid? ComboId { get; init; }

        public Promocion ComoPromocion() => new(Id, Clave, Nombre, TipoDescuento, Valor, Meses,
            DateOnly.FromDateTime(VigenteDesde), DateOnly.FromDateTime(VigenteHasta));
    }

    // Plans sold in a zone on a date: active, priced there, and over a technology the zone offers
    // (tv/telefonia without technology go over any).
    private const string SqlPlanesEnZona = """
        SELECT p.id, p.clave, p.nombre, p.descripcion, p.tipo, p.tecnologia_clave AS tecnologia,
               p.velocidad_bajada_mbps AS velocidadbajadambps, p.velocidad_subida_mbps AS velocidadsubidambps,
               p.canales, p.lineas, p.clave_prod_serv AS claveprodserv, pz.precio_mensual AS preciomensual
        FROM planes p
        JOIN precios_plan_zona pz ON pz.plan_id = p.id AND pz.zona_id = @ZonaId
             AND pz.vigente_desde <= @Fecha::date AND (pz.vigente_hasta IS NULL OR pz.vigente_hasta > @Fecha::date)
        WHERE p.activo
          AND (p.tecnologia_clave IS NULL OR EXISTS (SELECT 1 FROM zona_tecnologias zt WHERE zt.zona_id = @ZonaId
               AND zt.tecnologia_clave = p.tecnologia_clave AND zt.disponible_desde <= @Fecha::date))
        """;

    private const string SqlPromociones = """
        SELECT id, clave, nombre, tipo_descuento AS tipodescuento, valor, meses, vigente_desde AS vigentedesde,
               vigente_hasta AS vigentehasta, plan_id AS planid, combo_id AS comboid
        FROM promociones
        WHERE activa AND (zona_id IS NULL OR zona_id = @ZonaId)
          AND vigente_desde <= @Fecha::date AND vigente_hasta >= @Fecha::date
        """;

    private async Task<List<PlanEnZona>> PlanesEnZonaAsync(NpgsqlConnection cn, Guid zonaId, DateOnly fecha, CancellationToken ct)
    {
        var p = new { ZonaId = zonaId, Fecha = fecha.ToDateTime(TimeOnly.MinValue) };
        var planes = await cn.QueryAsync<FilaPlan>(new CommandDefinition(SqlPlanesEnZona, p, cancellationToken: ct));
        var promos = (await cn.QueryAsync<FilaPromocion>(new CommandDefinition(SqlPromociones + " AND plan_id IS NOT NULL", p, cancellationToken: ct)))
            .ToLookup(x => x.PlanId!.Value, x => x.ComoPromocion());
        return planes.Select(f =>
        {
            var vigentes = promos[f.Id].ToList();
            return new PlanEnZona(f.Id, f.Clave, f.Nombre, f.Descripcion, f.Tipo, f.Tecnologia, f.VelocidadBajadaMbps,
                f.VelocidadSubidaMbps, f.Canales, f.Lineas, f.PrecioMensual, vigentes,
                Cotizador.Cotizar([Parte(f, f.PrecioMensual)], vigentes, fecha));
        }).ToList();
    }

    private static ParteCotizable Parte(FilaPlan f, decimal precio) => new(f.Id, f.Clave, f.Nombre, f.Tipo, f.ClaveProdServ, precio);

    /// <summary>"Buscar planes": plans sold in a zone, filtered, sorted (precio, -precio, velocidad, -velocidad, nombre) and paged.</summary>
    public async Task<Pagina<PlanEnZona>> BuscarPlanesAsync(FiltroPlanes f, CancellationToken ct)
    {
        var v = new Validador().Requerido(f.Zona, "zona", 60);
        if (f.Tipo is not null) v.Regla(TiposServicio.Todos.Contains(f.Tipo), "tipo", "Debe ser internet, tv o telefonia.");
        if (f.PrecioMax is not null) v.Regla(f.PrecioMax >= 0, "precioMax", "No puede ser negativo.");
        var orden = f.Orden ?? "precio";
        v.Regla(orden is "precio" or "-precio" or "velocidad" or "-velocidad" or "nombre", "orden",
            "Use precio, -precio, velocidad, -velocidad o nombre.");
        v.Lanzar();

        await using var cn = await db.OpenConnectionAsync(ct);
        var zona = await ZonaAsync(cn, f.Zona!, ct);
        IEnumerable<PlanEnZona> planes = await PlanesEnZonaAsync(cn, zona.Id, Hoy, ct);
        if (f.Tipo is not null) planes = planes.Where(p => p.Tipo == f.Tipo);
        if (!string.IsNullOrWhiteSpace(f.Tecnologia)) planes = planes.Where(p => string.Equals(p.Tecnologia, f.Tecnologia, StringComparison.OrdinalIgnoreCase));
        if (f.VelocidadMin is { } vm) planes = planes.Where(p => p.VelocidadBajadaMbps >= vm);
        if (f.PrecioMax is { } pm) planes = planes.Where(p => p.Cotizacion.Total <= pm);
        IOrderedEnumerable<PlanEnZona> ordenados = orden switch
        {
            "-precio" => planes.OrderByDescending(p => p.Cotizacion.Total),
            "velocidad" => planes.OrderBy(p => p.VelocidadBajadaMbps ?? 0),
            "-velocidad" => planes.OrderByDescending(p => p.VelocidadBajadaMbps ?? 0),
            "nombre" => planes.OrderBy(p => p.Nombre, StringComparer.Create(System.Globalization.CultureInfo.GetCultureInfo("es-MX"), true)),
            _ => planes.OrderBy(p => p.Cotizacion.Total),
        };
        var todos = ordenados.ThenBy(p => p.Clave, StringComparer.Ordinal).ToList();
        return f.Paginas.De(todos);
    }

    public async Task<Guid> CrearPlanAsync(SolicitudPlan s, CancellationToken ct)
    {
        var v = new Validador().Requerido(s.Clave, "clave", 30).Requerido(s.Nombre, "nombre")
            .Regla(s.Tipo is not null && TiposServicio.Todos.Contains(s.Tipo), "tipo", "Debe ser internet, tv o telefonia.")
            .Regla(s.ClaveProdServ is { Length: 8 } c && c.All(char.IsAsciiDigit), "claveProdServ", "Clave SAT c_ClaveProdServ de 8 dígitos.");
        switch (s.Tipo)
        {
            case TiposServicio.Internet:
                v.Requerido(s.Tecnologia, "tecnologia", 20)
                 .Regla(s.VelocidadBajadaMbps > 0, "velocidadBajadaMbps", "Obligatoria y mayor que 0 para internet.")
                 .Regla(s.VelocidadSubidaMbps > 0, "velocidadSubidaMbps", "Obligatoria y mayor que 0 para internet.")
                 .Regla(s.Canales is null && s.Lineas is null, "tipo", "Un plan de internet no lleva canales ni líneas.");
                break;
            case TiposServicio.Tv:
                v.Regla(s.Canales > 0, "canales", "Obligatorio y mayor que 0 para TV.")
                 .Regla(s.VelocidadBajadaMbps is null && s.VelocidadSubidaMbps is null && s.Lineas is null, "tipo", "Un plan de TV solo lleva canales.");
                break;
            case TiposServicio.Telefonia:
                v.Regla(s.Lineas > 0, "lineas", "Obligatorio y mayor que 0 para telefonía.")
                 .Regla(s.VelocidadBajadaMbps is null && s.VelocidadSubidaMbps is null && s.Canales is null, "tipo", "Un plan de telefonía solo lleva líneas.");
                break;
        }
        if (s.Clave is not null) v.Regla(System.Text.RegularExpressions.Regex.IsMatch(s.Clave.Trim().ToUpperInvariant(), "^[A-Z0-9_-]{2,30}$"), "clave", "Solo letras, dígitos, guion y guion bajo (2 a 30).");
        v.Lanzar();

        await using var cn = await db.OpenConnectionAsync(ct);
        try
        {
            return await cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
                INSERT INTO planes (clave, nombre, descripcion, tipo, tecnologia_clave, velocidad_bajada_mbps, velocidad_subida_mbps,
                                    canales, lineas, clave_prod_serv, tasa_ieps)
                VALUES (upper(@Clave), @Nombre, @Descripcion, @Tipo, upper(@Tecnologia), @VelocidadBajadaMbps, @VelocidadSubidaMbps,
                        @Canales, @Lineas, @ClaveProdServ, @TasaIeps)
                RETURNING id
                """, new
            {
                Clave = s.Clave!.Trim(), Nombre = s.Nombre!.Trim(), s.Descripcion, s.Tipo, s.Tecnologia, s.VelocidadBajadaMbps,
                s.VelocidadSubidaMbps, s.Canales, s.Lineas, s.ClaveProdServ, TasaIeps = ReglasFiscalesTelecom.TasaIepsPara(s.Tipo!),
            }, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ErrorConflicto("Ya existe un plan con esa clave.", "duplicado");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new ErrorRegla("Tecnología desconocida.", "tecnologia");
        }
    }

    public async Task CambiarPlanAsync(Guid id, CambioPlan c, CancellationToken ct)
    {
        var v = new Validador();
        if (c.Nombre is not null) v.Requerido(c.Nombre, "nombre");
        v.Regla(c.Nombre is not null || c.Descripcion is not null || c.Activo is not null, "cuerpo", "Indique nombre, descripcion o activo.");
        v.Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        var n = await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE planes SET nombre = coalesce(@Nombre, nombre), descripcion = coalesce(@Descripcion, descripcion),
                              activo = coalesce(@Activo, activo)
            WHERE id = @id
            """, new { id, Nombre = c.Nombre?.Trim(), c.Descripcion, c.Activo }, cancellationToken: ct));
        if (n == 0) throw new ErrorNoEncontrado("plan", id.ToString());
    }

    /// <summary>Sets a plan's price in a zone from a date on; the open price before it is closed that day (validity never overlaps).</summary>
    public async Task FijarPrecioAsync(Guid planId, SolicitudPrecio s, CancellationToken ct)
    {
        new Validador().Requerido(s.Zona, "zona", 60)
            .Regla(s.PrecioMensual is >= 0 and < 10_000_000m, "precioMensual", "Obligatorio, en MXN antes de impuestos, no negativo.")
            .Regla(s.PrecioMensual is null || decimal.Round(s.PrecioMensual.Value, 2) == s.PrecioMensual, "precioMensual", "Máximo 2 decimales.")
            .Lanzar();
        var desde = (s.VigenteDesde ?? Hoy).ToDateTime(TimeOnly.MinValue);
        await using var cn = await db.OpenConnectionAsync(ct);
        var zona = await ZonaAsync(cn, s.Zona!, ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        if (await cn.QueryFirstOrDefaultAsync<Guid?>(new CommandDefinition("SELECT id FROM planes WHERE id = @planId FOR UPDATE", new { planId }, tx, cancellationToken: ct)) is null)
            throw new ErrorNoEncontrado("plan", planId.ToString());
        await cn.ExecuteAsync(new CommandDefinition("""
            UPDATE precios_plan_zona SET vigente_hasta = @desde::date
            WHERE plan_id = @planId AND zona_id = @ZonaId AND vigente_desde < @desde::date AND (vigente_hasta IS NULL OR vigente_hasta > @desde::date)
            """, new { planId, ZonaId = zona.Id, desde }, tx, cancellationToken: ct));
        try
        {
            await cn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO precios_plan_zona (plan_id, zona_id, precio_mensual, vigente_desde) VALUES (@planId, @ZonaId, @PrecioMensual, @desde::date)
                """, new { planId, ZonaId = zona.Id, s.PrecioMensual, desde }, tx, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ExclusionViolation)
        {
            throw new ErrorConflicto("Ya hay un precio vigente desde esa fecha o después; ajústelo en lugar de traslaparlo.", "precio_traslapado");
        }
        await tx.CommitAsync(ct);
    }

    // ---------------------------------------------------------------- combos

    private sealed record FilaParteCombo
    {
        public Guid ComboId { get; init; }
        public string ComboClave { get; init; } = "";
        public string ComboNombre { get; init; } = "";
        public string? ComboDescripcion { get; init; }
        public Guid Id { get; init; }
        public string Clave { get; init; } = "";
        public string Nombre { get; init; } = "";
        public string Tipo { get; init; } = "";
        public string ClaveProdServ { get; init; } = "";
        public decimal PrecioMensual { get; init; }
        public decimal? PrecioIndependiente { get; init; }
        public bool Disponible { get; init; }
    }

    /// <summary>Combos sold in a zone: active, every part active and over a technology the zone offers. Price = sum of parts.</summary>
    private async Task<List<ComboEnZona>> CombosEnZonaAsync(NpgsqlConnection cn, Guid zonaId, DateOnly fecha, Guid? soloCombo, CancellationToken ct)
    {
        var p = new { ZonaId = zonaId, Fecha = fecha.ToDateTime(TimeOnly.MinValue), Combo = soloCombo };
        var partes = await cn.QueryAsync<FilaParteCombo>(new CommandDefinition("""
            SELECT c.id AS comboid, c.clave AS comboclave, c.nombre AS combonombre, c.descripcion AS combodescripcion,
                   p.id, p.clave, p.nombre, p.tipo, p.clave_prod_serv AS claveprodserv, cp.precio_mensual AS preciomensual,
                   -- The part's standalone price in the zone on that date: LIEPS art. 8-IV-d prices internet at it (as billing does).
                   (SELECT pz.precio_mensual FROM precios_plan_zona pz
                    WHERE pz.plan_id = p.id AND pz.zona_id = @ZonaId AND pz.vigente_desde <= @Fecha::date
                      AND (pz.vigente_hasta IS NULL OR pz.vigente_hasta > @Fecha::date)
                    ORDER BY pz.vigente_desde DESC LIMIT 1) AS precioindependiente,
                   p.activo AND (p.tecnologia_clave IS NULL OR EXISTS (SELECT 1 FROM zona_tecnologias zt WHERE zt.zona_id = @ZonaId
                       AND zt.tecnologia_clave = p.tecnologia_clave AND zt.disponible_desde <= @Fecha::date)) AS disponible
            FROM combos c JOIN combo_planes cp ON cp.combo_id = c.id JOIN planes p ON p.id = cp.plan_id
            WHERE c.activo AND (@Combo::uuid IS NULL OR c.id = @Combo)
            ORDER BY c.clave, CASE p.tipo WHEN 'internet' THEN 1 WHEN 'tv' THEN 2 ELSE 3 END, p.clave
            """, p, cancellationToken: ct));
        var promos = (await cn.QueryAsync<FilaPromocion>(new CommandDefinition(SqlPromociones + " AND combo_id IS NOT NULL", p, cancellationToken: ct)))
            .ToLookup(x => x.ComboId!.Value, x => x.ComoPromocion());
        return partes.GroupBy(x => x.ComboId).Where(g => g.All(x => x.Disponible)).Select(g =>
        {
            var f = g.First();
            var ps = g.Select(x => new ParteCotizable(x.Id, x.Clave, x.Nombre, x.Tipo, x.ClaveProdServ, x.PrecioMensual, x.PrecioIndependiente)).ToList();
            var vigentes = promos[g.Key].ToList();
            return new ComboEnZona(g.Key, f.ComboClave, f.ComboNombre, f.ComboDescripcion, ps, vigentes, Cotizador.Cotizar(ps, vigentes, fecha, esPaquete: true));
        }).ToList();
    }

    public async Task<Pagina<ComboEnZona>> CombosAsync(string zona, Paginacion p, CancellationToken ct)
    {
        await using var cn = await db.OpenConnectionAsync(ct);
        var z = await ZonaAsync(cn, zona, ct);
        return p.De(await CombosEnZonaAsync(cn, z.Id, Hoy, null, ct));
    }

    public async Task<Guid> CrearComboAsync(SolicitudCombo s, CancellationToken ct)
    {
        var v = new Validador().Requerido(s.Clave, "clave", 30).Requerido(s.Nombre, "nombre")
            .Regla(s.Partes is { Length: >= 2 }, "partes", "Un combo une al menos dos planes.");
        foreach (var (p, i) in (s.Partes ?? []).Select((p, i) => (p, i)))
        {
            v.Regla(p.PlanId is not null, $"partes[{i}].planId", "Es obligatorio.");
            v.Regla(p.PrecioMensual is >= 0 and < 10_000_000m && decimal.Round(p.PrecioMensual.Value, 2) == p.PrecioMensual, $"partes[{i}].precioMensual",
                "Obligatorio, en MXN antes de impuestos, no negativo, máximo 2 decimales.");
        }
        if (s.Partes is not null) v.Regla(s.Partes.Select(p => p.PlanId).Distinct().Count() == s.Partes.Length, "partes", "Un plan aparece una sola vez.");
        v.Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        await using var tx = await cn.BeginTransactionAsync(ct);
        try
        {
            var id = await cn.ExecuteScalarAsync<Guid>(new CommandDefinition(
                "INSERT INTO combos (clave, nombre, descripcion) VALUES (upper(@Clave), @Nombre, @Descripcion) RETURNING id",
                new { Clave = s.Clave!.Trim(), Nombre = s.Nombre!.Trim(), s.Descripcion }, tx, cancellationToken: ct));
            foreach (var p in s.Partes!)
                await cn.ExecuteAsync(new CommandDefinition("INSERT INTO combo_planes (combo_id, plan_id, precio_mensual) VALUES (@id, @PlanId, @PrecioMensual)",
                    new { id, p.PlanId, p.PrecioMensual }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return id;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ErrorConflicto("Ya existe un combo con esa clave.", "duplicado");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new ErrorRegla("Uno de los planes no existe.", "partes");
        }
    }

    public async Task<Guid> CrearPromocionAsync(SolicitudPromocion s, CancellationToken ct)
    {
        var v = new Validador().Requerido(s.Clave, "clave", 30).Requerido(s.Nombre, "nombre")
            .Regla(s.TipoDescuento is Promocion.Porcentaje or Promocion.MontoFijo, "tipoDescuento", "Debe ser porcentaje o monto_fijo.")
            .Regla(s.Valor is > 0 and < 10_000_000m && (s.TipoDescuento != Promocion.Porcentaje || s.Valor <= 100), "valor", "Mayor que 0 (y hasta 100 si es porcentaje).")
            .Regla(s.Meses is >= 1 and <= 36, "meses", "Entre 1 y 36 meses.")
            .Regla(s.VigenteDesde is not null, "vigenteDesde", "Es obligatoria.")
            .Regla(s.VigenteHasta is not null && (s.VigenteDesde is null || s.VigenteHasta >= s.VigenteDesde), "vigenteHasta", "Obligatoria y no anterior a vigenteDesde.")
            .Regla((s.PlanId is null) != (s.ComboId is null), "planId", "Indique exactamente uno: planId o comboId.");
        v.Lanzar();
        await using var cn = await db.OpenConnectionAsync(ct);
        Guid? zonaId = s.Zona is null ? null : (await ZonaAsync(cn, s.Zona, ct)).Id;
        try
        {
            return await cn.ExecuteScalarAsync<Guid>(new CommandDefinition("""
                INSERT INTO promociones (clave, nombre, tipo_descuento, valor, meses, vigente_desde, vigente_hasta, plan_id, combo_id, zona_id)
                VALUES (upper(@Clave), @Nombre, @TipoDescuento, @Valor, @Meses, @Desde::date, @Hasta::date, @PlanId, @ComboId, @zonaId)
                RETURNING id
                """, new
            {
                Clave = s.Clave!.Trim(), Nombre = s.Nombre!.Trim(), s.TipoDescuento, s.Valor, s.Meses,
                Desde = s.VigenteDesde!.Value.ToDateTime(TimeOnly.MinValue), Hasta = s.VigenteHasta!.Value.ToDateTime(TimeOnly.MinValue),
                s.PlanId, s.ComboId, zonaId,
            }, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ErrorConflicto("Ya existe una promoción con esa clave.", "duplicado");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new ErrorRegla("El plan o combo no existe.", s.PlanId is null ? "comboId" : "planId");
        }
    }

    // ---------------------------------------------------------------- coverage and quotes

    private sealed record FilaCp
    {
        public string Cp { get; init; } = "";
        public Guid ZonaId { get; init; }
        public string Municipio { get; init; } = "";
        public string Estado { get; init; } = "";
        public string[] Colonias { get; init; } = [];
    }

    /// <summary>The coverage facts of a postal code, or null when it is not in the catalog (400 when malformed).</summary>
    public async Task<(string Cp, Guid ZonaId, string Municipio, string Estado, string[] Colonias)?> BuscarCpAsync(string? cp, string campo, CancellationToken ct)
    {
        var r = CodigoPostal.Validar(cp, campo);
        if (!r.EsValido) throw new ErrorValidacion(r.Errores);
        await using var cn = await db.OpenConnectionAsync(ct);
        var f = await CpAsync(cn, r.Valor!.Valor, ct);
        return f is null ? null : (f.Cp, f.ZonaId, f.Municipio, f.Estado, f.Colonias);
    }

    private static Task<FilaCp?> CpAsync(NpgsqlConnection cn, string cp, CancellationToken ct) =>
        cn.QuerySingleOrDefaultAsync<FilaCp>(new CommandDefinition("""
            SELECT c.cp, c.zona_id AS zonaid, m.nombre AS municipio, m.estado,
                   coalesce((SELECT array_agg(colonia ORDER BY colonia) FROM codigo_postal_colonias k WHERE k.cp = c.cp), '{}') AS colonias
            FROM codigos_postales c JOIN municipios m ON m.clave_inegi = c.municipio_clave
            WHERE c.cp = @cp
            """, new { cp }, cancellationToken: ct));

    /// <summary>GET /api/catalogo/zonas/{cp}: the zone of a postal code and what it can buy today (404 outside coverage).</summary>
    public async Task<CoberturaCp> CoberturaAsync(string? cp, CancellationToken ct)
    {
        var c = await BuscarCpAsync(cp, "cp", ct) ?? throw new ErrorNoEncontrado("cobertura para el código postal", cp!);
        await using var cn = await db.OpenConnectionAsync(ct);
        var zona = await ZonaAsync(cn, c.ZonaId.ToString(), ct);
        var hoy = Hoy;
        var planes = zona.Activa ? (await PlanesEnZonaAsync(cn, zona.Id, hoy, ct)).OrderBy(p => p.Tipo).ThenBy(p => p.Cotizacion.Total).ToList() : [];
        var combos = zona.Activa ? await CombosEnZonaAsync(cn, zona.Id, hoy, null, ct) : [];
        return new CoberturaCp(c.Cp, c.Municipio, c.Estado, c.Colonias, zona, planes, combos);
    }

    /// <summary>
    /// Prices a plan or a combo in a zone (by id/clave or postal code) on a date (today by default):
    /// lines per part with IEPS/IVA, the promotion that applies and for how many months. 400 on bad
    /// input, 404 unknown zone/cp, 422 when the plan or combo is not sold there.
    /// </summary>
    public async Task<Oferta> CotizarAsync(SolicitudCotizacion s, CancellationToken ct)
    {
        new Validador()
            .Regla((s.Zona is null) != (s.Cp is null), "zona", "Indique exactamente uno: zona o cp.")
            .Regla((s.PlanId is null) != (s.ComboId is null), "planId", "Indique exactamente uno: planId o comboId.")
            .Lanzar();
        var fecha = s.Fecha ?? Hoy;
        var zonaBuscada = s.Cp is null ? s.Zona!
            : (await BuscarCpAsync(s.Cp, "cp", ct) ?? throw new ErrorNoEncontrado("cobertura para el código postal", s.Cp)).ZonaId.ToString();
        await using var cn = await db.OpenConnectionAsync(ct);
        var zona = await ZonaAsync(cn, zonaBuscada, ct);
        var zonaId = zona.Id;
        if (!zona.Activa) throw new ErrorRegla($"La zona {zona.Clave} no está activa para ventas.", "zona");
        Oferta oferta;
        if (s.PlanId is { } planId)
        {
            var p = (await PlanesEnZonaAsync(cn, zonaId, fecha, ct)).FirstOrDefault(x => x.Id == planId)
                    ?? throw new ErrorRegla($"El plan {planId} no se vende en la zona {zona.Clave} (inactivo, sin precio o sin su tecnología).", "planId");
            oferta = new Oferta(zonaId, planId, null, p.Nombre, fecha, p.Cotizacion);
        }
        else
        {
            var c = (await CombosEnZonaAsync(cn, zonaId, fecha, s.ComboId, ct)).FirstOrDefault()
                    ?? throw new ErrorRegla($"El combo {s.ComboId} no se vende en la zona {zona.Clave} (inactivo o alguna parte sin su tecnología).", "comboId");
            oferta = new Oferta(zonaId, null, c.Id, c.Nombre, fecha, c.Cotizacion);
        }
        Cotizaciones.Add(1, new KeyValuePair<string, object?>("zona", zona.Clave));
        return oferta;
    }
}

/// <summary>GET /api/catalogo/dias-corte: allowed cut-off days, the default one for a sign-up today and that day's next cut-off date.</summary>
public sealed record DiasCorte(IReadOnlyList<int> Dias, int PorDefecto, DateOnly SiguienteCortePorDefecto);
