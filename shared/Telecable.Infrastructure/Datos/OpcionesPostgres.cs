namespace Telecable.Infrastructure.Datos;

public sealed class OpcionesPostgres
{
    public const string Seccion = "Postgres";

    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// How connections authenticate: <see cref="AutenticacionPostgres.Password"/> (the connection string's
    /// password, locally) or <see cref="AutenticacionPostgres.EntraId"/> (an Entra access token of the app's
    /// managed identity as the password, in Azure, where the server accepts no passwords).
    /// </summary>
    public AutenticacionPostgres Autenticacion { get; set; } = AutenticacionPostgres.Password;

    /// <summary>
    /// Maximum pool size of the telemetry data source (a second pool over the same database). Part of the
    /// connection budget in infra/bicep/README.md: (main pool + this) x max instances must stay under the
    /// server's max_connections.
    /// </summary>
    public int PoolTelemetria { get; set; } = 4;

    /// <summary>Apply pending migrations when the app starts: locally and in CI only. In Azure a release step runs
    /// them (<c>Telecable.Functions --migrar</c>), because Flex Consumption stops an app that takes over 30 s to start.</summary>
    public bool MigrarAlIniciar { get; set; } = true;

    /// <summary>Load the demo seed after migrating (the up command sets it; never in production).</summary>
    public bool CargarDemo { get; set; }
}

public enum AutenticacionPostgres
{
    Password,
    EntraId,
}
