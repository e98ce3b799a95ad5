namespace Telecable.Infrastructure.Datos;

public sealed class OpcionesPostgres
{
    public const string Seccion = "Postgres";

    public string ConnectionString { get; set; } = "";

    /// <summary>Apply pending migrations when the app starts (locally and in CI; in Azure a release step may do it).</summary>
    public bool MigrarAlIniciar { get; set; } = true;

    /// <summary>Load the demo seed after migrating (the up command sets it; never in production).</summary>
    public bool CargarDemo { get; set; }
}
