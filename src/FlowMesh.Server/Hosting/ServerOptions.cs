using FlowMesh.Engine.Store;

namespace FlowMesh.Server.Hosting;

/// <summary>Settings of the gateway. Every default is what <c>flowmesh server</c> uses; <see cref="Validate"/> runs at start-up.</summary>
public sealed class ServerOptions
{
    /// <summary>Where the store, results and the first admin token live. Default: the FlowMesh data directory.</summary>
    public string DataDirectory { get; set; } = Engine.Runtime.DataDirectory.Default();

    /// <summary>Addresses to listen on. Default <c>http://127.0.0.1:8080</c>; port 0 picks a free one.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Largest request body in bytes; bigger ones get 413. Default 4 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4L << 20;

    /// <summary>How long an idle SSE stream waits before it sends a <c>: keep-alive</c> comment. Default 15 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Requests per second each tenant may make (token bucket refill). Default 100.</summary>
    public int RateLimitPerSecond { get; set; } = 100;

    /// <summary>Burst size of each tenant's bucket. Default 200.</summary>
    public int RateLimitBurst { get; set; } = 200;

    /// <summary>Run tasks on this machine (<c>flowmesh up</c>). Default false: the local node starts cordoned.</summary>
    public bool RunLocalNode { get; set; }

    /// <summary>
    /// How long a remote node's task lease lasts without a heartbeat; a node silent this long is lost and its tasks run
    /// again elsewhere. Nodes heartbeat five times per lease. Default 15 s.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a task no live node can run waits for one that fits to join before it fails. Default 5 minutes; zero
    /// fails such tasks at once.
    /// </summary>
    public TimeSpan UnplaceableTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Assemblies (paths) holding extension types: identity providers, submission guards, usage sinks, permission checkers.</summary>
    public IList<string> ExtensionAssemblies { get; } = [];

    /// <summary>
    /// A PostgreSQL connection string (<c>Host=…;Database=…</c>): cluster mode, where any number of replicas share the
    /// database. Default null: <see cref="StoreLocation.EnvironmentVariable"/> if set, else SQLite in the data directory.
    /// </summary>
    public string? Store { get; set; } = Environment.GetEnvironmentVariable(StoreLocation.EnvironmentVariable);

    /// <summary>What a commit of the SQLite store survives (see <see cref="CommitDurability"/>). Default: fsync every commit.</summary>
    public CommitDurability Durability { get; set; } = CommitDurability.Fsync;

    /// <summary>The store this server uses.</summary>
    public StoreLocation StoreLocation => StoreLocation.Resolve(Store, DataDirectory) with { Durability = Durability };

    /// <summary>True when the store is PostgreSQL: replicas elect a leader and hand it commands through the store.</summary>
    public bool Clustered => StoreLocation.Backend == StoreBackend.Postgres;

    /// <summary>
    /// On the store's first start, register this token (<c>fmk_…</c>) as the system admin key instead of making one up.
    /// Default: FLOWMESH_ADMIN_TOKEN. For deployments whose keys live in a secret store.
    /// </summary>
    public string? BootstrapAdminToken { get; set; } = Environment.GetEnvironmentVariable("FLOWMESH_ADMIN_TOKEN");

    /// <summary>On the store's first start, also register this token as a node key (agents use it). Default: FLOWMESH_NODE_TOKEN.</summary>
    public string? BootstrapNodeToken { get; set; } = Environment.GetEnvironmentVariable("FLOWMESH_NODE_TOKEN");

    /// <summary>This replica's name, shown as the leader when it leads. Default <c>host-pid</c>.</summary>
    public string ReplicaId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>How long a replica waits for the leader to answer a command before it answers 503. Default 30 s.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Finished workflows older than this are pruned with their tasks and events (usage rows stay). Default zero: kept.
    /// </summary>
    public TimeSpan Retention { get; set; }

    /// <summary>
    /// Where traces and metrics go over OTLP (http/protobuf, e.g. <c>http://collector:4318</c>). Default:
    /// OTEL_EXPORTER_OTLP_ENDPOINT; null exports nothing (Prometheus text on /metrics is always served).
    /// </summary>
    public Uri? OtlpEndpoint { get; set; } = Uri.TryCreate(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"), UriKind.Absolute, out var otlp) ? otlp : null;

    /// <summary>How often metrics are pushed over OTLP. Default: OTEL_METRIC_EXPORT_INTERVAL (milliseconds), else 15 s.</summary>
    public TimeSpan OtlpMetricInterval { get; set; } =
        double.TryParse(Environment.GetEnvironmentVariable("OTEL_METRIC_EXPORT_INTERVAL"), System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.FromSeconds(15);

    /// <summary>The least severe log level written. Default: FLOWMESH_LOG_LEVEL, else Information.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; set; } =
        Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(Environment.GetEnvironmentVariable("FLOWMESH_LOG_LEVEL"), ignoreCase: true, out var level) ? level : Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>Logs as one JSON object a line (with workflow and task ids as fields) instead of text. Default: FLOWMESH_LOG_FORMAT=json.</summary>
    public bool JsonLogs { get; set; } = string.Equals(Environment.GetEnvironmentVariable("FLOWMESH_LOG_FORMAT"), "json", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Keys for approval-signal tokens, from FLOWMESH_SIGNAL_KEYS (<c>ID=BASE64[@VALID-UNTIL],…</c>): the first signs,
    /// the others still verify until their time (rotation with a grace period). Default: none configured, and a random
    /// key is generated once and kept in the store.
    /// </summary>
    public string? SignalKeys { get; set; } = Environment.GetEnvironmentVariable("FLOWMESH_SIGNAL_KEYS");

    /// <summary>
    /// Keys that seal tenants' secrets at rest (AES-256-GCM), from FLOWMESH_SECRET_KEYS (<c>ID=BASE64,…</c>, 32-byte
    /// keys; the first encrypts, all decrypt). Default: none, and storing a secret is refused (503).
    /// </summary>
    public string? SecretKeys { get; set; } = Environment.GetEnvironmentVariable("FLOWMESH_SECRET_KEYS");

    /// <summary>How nodes are chosen for tasks: best-fit, spread or bin-pack. Default FLOWMESH_PLACEMENT, else best-fit (checked at start-up).</summary>
    public string? PlacementPolicy { get; set; } = Environment.GetEnvironmentVariable("FLOWMESH_PLACEMENT");

    /// <summary>The policy <see cref="PlacementPolicy"/> names.</summary>
    public Engine.Scheduling.PlacementPolicy Placement => ParsePlacement(PlacementPolicy);

    /// <summary>The file the first admin token is written to. Default <c>&lt;data-dir&gt;/admin.token</c>.</summary>
    public string AdminTokenFile => Path.Combine(DataDirectory, "admin.token");

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("ServerOptions.DataDirectory must be set");
        }

        if (MaxRequestBodyBytes < 1024)
        {
            throw new ArgumentException("ServerOptions.MaxRequestBodyBytes must be at least 1024");
        }

        if (UnplaceableTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("ServerOptions.UnplaceableTimeout cannot be negative");
        }

        if (LeaseDuration < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException("ServerOptions.LeaseDuration must be at least 1 s");
        }

        if (KeepAliveInterval <= TimeSpan.Zero || RateLimitPerSecond < 1 || RateLimitBurst < 1)
        {
            throw new ArgumentException("ServerOptions.KeepAliveInterval, RateLimitPerSecond and RateLimitBurst must be positive");
        }

        if (Clustered && RunLocalNode)
        {
            throw new ArgumentException("in cluster mode (a PostgreSQL store) tasks run on node agents (`flowmesh node`), not in the servers: use `flowmesh server`");
        }

        if (CommandTimeout <= TimeSpan.Zero || Retention < TimeSpan.Zero || string.IsNullOrWhiteSpace(ReplicaId))
        {
            throw new ArgumentException("ServerOptions.CommandTimeout must be positive, Retention not negative, and ReplicaId set");
        }

        _ = Security.SignalTokens.Parse(SignalKeys);
        _ = Engine.Secrets.SecretBox.Parse(SecretKeys);
        _ = ParsePlacement(PlacementPolicy);
        if (OtlpEndpoint is { } otlp && otlp.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"ServerOptions.OtlpEndpoint must be an http(s) URL, not {otlp}");
        }

        if (OtlpMetricInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentException("ServerOptions.OtlpMetricInterval must be at least 100 ms");
        }

        foreach (var path in ExtensionAssemblies.Where(p => !File.Exists(p)))
        {
            throw new ArgumentException($"extension assembly not found: {path}");
        }
    }

    /// <summary>Reads best-fit, spread or bin-pack (null or empty: best fit).</summary>
    public static Engine.Scheduling.PlacementPolicy ParsePlacement(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "best-fit" or "bestfit" => Engine.Scheduling.PlacementPolicy.BestFit,
        "spread" => Engine.Scheduling.PlacementPolicy.Spread,
        "bin-pack" or "binpack" => Engine.Scheduling.PlacementPolicy.BinPack,
        _ => throw new ArgumentException($"placement policy must be best-fit, spread or bin-pack, not '{text}'"),
    };
}
