using System.CommandLine;
using FlowMesh.Server;
using FlowMesh.Server.Hosting;

namespace FlowMesh.Cli;

/// <summary><c>flowmesh server</c> (the API over the store) and <c>flowmesh up</c> (the API plus a node that runs tasks here).</summary>
internal static class ServerCommand
{
    public static Command Create(bool up)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen (port 0 picks a free port)", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var maxBody = new Option<long>("--max-body") { Description = "Largest request body in bytes (bigger gets 413)", DefaultValueFactory = _ => 4L << 20 };
        var keepAlive = new Option<double>("--keepalive") { Description = "Seconds an idle event stream waits before a keep-alive comment", DefaultValueFactory = _ => 15 };
        var rate = new Option<int>("--rate-limit") { Description = "Requests per second per tenant (burst is twice this)", DefaultValueFactory = _ => 100 };
        var lease = new Option<double>("--lease-seconds") { Description = "Seconds a node's task lease lasts without a heartbeat (a silent node is lost after this)", DefaultValueFactory = _ => 15 };
        var unplaceable = new Option<double>("--unplaceable-timeout") { Description = "Seconds a task no node can run waits for one to join before it fails (0: fail at once)", DefaultValueFactory = _ => 300 };
        var store = new Option<string?>("--store")
        {
            Description = "PostgreSQL connection string (Host=…;Database=…;Username=…;Password=…) for cluster mode: any number of replicas share it. Default: FLOWMESH_STORE, else SQLite in the data directory",
        };
        var retention = new Option<double>("--retention-days") { Description = "Prune finished workflows (tasks and events; result files stay) older than this many days (0: keep)", DefaultValueFactory = _ => 0 };
        var placement = new Option<string?>("--placement") { Description = "How nodes are chosen for tasks: best-fit (default), spread or bin-pack (or FLOWMESH_PLACEMENT)" };
        var otlp = new Option<string?>("--otlp-endpoint")
        {
            Description = "Send traces (a trace per workflow, a span per task attempt) and metrics over OTLP http/protobuf to this collector (e.g. http://127.0.0.1:4318). Default: OTEL_EXPORTER_OTLP_ENDPOINT",
        };
        var logLevel = new Option<Microsoft.Extensions.Logging.LogLevel?>("--log-level") { Description = "Least severe log level written (Trace, Debug, Information, Warning, Error). Default: FLOWMESH_LOG_LEVEL, else Information" };
        var logJson = new Option<bool>("--log-json") { Description = "Write logs as JSON lines with workflow and task ids as fields (also FLOWMESH_LOG_FORMAT=json)" };
        var extensions = new Option<string[]>("--extension") { Description = "An assembly with extension types (identity providers, submission guards, usage sinks, permission checkers); repeatable" };
        var command = new Command(up ? "up" : "server", up
            ? """
              Run the API server and a node that runs tasks on this machine, in one process (single-machine FlowMesh).
              On first start it creates the admin token in <data-dir>/admin.token. Stops cleanly on Ctrl-C or SIGTERM.
              """
            : """
              Run the API server over the data directory. Its local node starts cordoned (it runs nothing until an admin
              runs `flowmesh node uncordon`); use `flowmesh up` to run tasks here as well.
              """) { urls, maxBody, keepAlive, rate, lease, unplaceable, store, retention, placement, otlp, logLevel, logJson, extensions };
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new ServerOptions
            {
                DataDirectory = CliApp.DataDir(result),
                Urls = result.GetValue(urls)!,
                MaxRequestBodyBytes = result.GetValue(maxBody),
                KeepAliveInterval = TimeSpan.FromSeconds(result.GetValue(keepAlive)),
                RateLimitPerSecond = result.GetValue(rate),
                RateLimitBurst = 2 * result.GetValue(rate),
                RunLocalNode = up,
                LeaseDuration = TimeSpan.FromSeconds(result.GetValue(lease)),
                UnplaceableTimeout = TimeSpan.FromSeconds(result.GetValue(unplaceable)),
                Retention = TimeSpan.FromDays(result.GetValue(retention)),
                Durability = result.GetValue(CliApp.DurabilityOption),
            };
            if (result.GetValue(store) is { } connection)
            {
                options.Store = connection;
            }

            if (result.GetValue(placement) is { } policy)
            {
                options.PlacementPolicy = policy;
            }

            if (result.GetValue(otlp) is { } endpoint)
            {
                if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
                {
                    Console.Error.WriteLine($"error: --otlp-endpoint must be an absolute http(s) URL, not '{endpoint}'");
                    return 2;
                }

                options.OtlpEndpoint = uri;
            }

            if (result.GetValue(logLevel) is { } level)
            {
                options.LogLevel = level;
            }

            options.JsonLogs |= result.GetValue(logJson);
            foreach (var path in result.GetValue(extensions) ?? [])
            {
                options.ExtensionAssemblies.Add(path);
            }

            try
            {
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }

            var app = FlowMeshServer.Build(options);
            try
            {
                await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(app, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException or IOException)
            {
                // Start-up refusals (a newer schema, an unreachable store, a port in use) are the user's to fix: say what.
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }

            return 0;
        });
        return command;
    }
}
