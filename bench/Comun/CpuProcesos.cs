/// <summary>
/// CPU time spent by the parts of a benchmark, read from /proc: this process (the local host, plus any
/// load generator in it), the PostgreSQL backends serving the benchmark's database (their process title
/// names it) and Azurite. Differences of two readings divided by the work done give the CPU each unit of
/// work costs, and with it the fastest the work could go on this machine's cores.
/// </summary>
internal readonly record struct CpuProcesos(TimeSpan Propio, TimeSpan Postgres, TimeSpan Azurite)
{
    /// <param name="baseDatos">the benchmark's database name.</param>
    /// <param name="azuriteCs">the connection string whose blob port picks the Azurite (several may run).</param>
    public static CpuProcesos Medir(string baseDatos, string azuriteCs)
    {
        var puerto = new Uri(azuriteCs.Split(';').First(p => p.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..]).Port.ToString();
        long pg = 0, azurite = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var cierre = stat.LastIndexOf(')');
                var nombre = stat[(stat.IndexOf('(') + 1)..cierre];
                if (nombre is not ("postgres" or "node")) continue;
                var linea = File.ReadAllText(Path.Combine(dir, "cmdline"));
                var campos = stat[(cierre + 2)..].Split(' '); // campos[0] is field 3; utime, stime are fields 14, 15
                var ticks = long.Parse(campos[11]) + long.Parse(campos[12]);
                if (nombre == "postgres" && linea.Contains(baseDatos)) pg += ticks;
                else if (nombre == "node" && linea.Contains("azurite") && PuertoBlob(linea) == puerto) azurite += ticks;
            }
            catch (IOException) { } // the process ended while being read
            catch (UnauthorizedAccessException) { }
        }
        // USER_HZ is 100 on Linux.
        return new(Environment.CpuUsage.TotalTime, TimeSpan.FromSeconds(pg / 100.0), TimeSpan.FromSeconds(azurite / 100.0));
    }

    // cmdline separates arguments with NUL; Azurite's blob port is 10000 unless --blobPort says otherwise.
    private static string PuertoBlob(string linea)
    {
        var args = linea.Split('\0');
        var i = Array.IndexOf(args, "--blobPort");
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : "10000";
    }

    /// <summary>This process's nice value (field 19 of /proc/self/stat): benchmarks print the priority they ran at.</summary>
    public static int NicePropio()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static CpuProcesos operator -(CpuProcesos a, CpuProcesos b) => new(a.Propio - b.Propio, a.Postgres - b.Postgres, a.Azurite - b.Azurite);

    public TimeSpan Total => Propio + Postgres + Azurite;

    public string PorUnidad(long n, string unidad) =>
        $"CPU por {unidad}: este proceso {Propio.TotalMilliseconds / n:N2} ms, backends de PostgreSQL {Postgres.TotalMilliseconds / n:N2} ms, " +
        $"Azurite {Azurite.TotalMilliseconds / n:N2} ms; total {Total.TotalMilliseconds / n:N2} ms";
}
