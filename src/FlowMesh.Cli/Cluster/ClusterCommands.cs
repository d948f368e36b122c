using System.CommandLine;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Containers;
using FlowMesh.Engine.Executors;
using FlowMesh.Runtime.Client;
using FlowMesh.Runtime.Hosting;
using FlowMesh.Runtime.Node;
using FlowMesh.Runtime.Storage;
using FlowMesh.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Cli.Cluster;

/// <summary>
/// <c>flowmesh cluster silo|agent|submit</c>: the Orleans runtime. Silos host the workflow, task, node and placement
/// grains (on Redis, or embedded on SQLite); agents join as Orleans clients and run tasks; submit sends a workflow.
/// </summary>
internal static class ClusterCommands
{
    private static readonly Option<string?> StoreOption = new("--store")
    {
        Description = "The cluster's Redis, redis://HOST:PORT[/DB] (none: one embedded silo on SQLite under the data directory)",
    };

    private static readonly Option<int> GatewayOption = new("--gateway-port") { Description = "The silo's gateway port (clients connect here; 0: a free one for a silo, 30000 for a client)" };

    private static readonly Option<double> ConnectOption = new("--connect-seconds") { Description = "How long a client waits for the cluster to answer before it gives up", DefaultValueFactory = _ => 15 };

    private static readonly Option<double> LeaseOption = new("--lease-seconds") { Description = "A node silent this long loses its attempts", DefaultValueFactory = _ => 30 };

    public static Command Create()
    {
        var cluster = new Command("cluster", "The Orleans runtime: run a silo, join an agent, submit a workflow");
        cluster.Subcommands.Add(Silo());
        cluster.Subcommands.Add(Agent());
        cluster.Subcommands.Add(Submit());
        return cluster;
    }

    private static Command Silo()
    {
        var command = new Command("silo", "Run a silo until SIGTERM: grains on Redis (--store) or one embedded silo on SQLite");
        var siloPort = new Option<int>("--silo-port") { Description = "Silo-to-silo port (0: a free one)" };
        var noNode = new Option<bool>("--no-node") { Description = "Host grains only; tasks run on agents" };
        var slots = new Option<int>("--slots") { Description = "Tasks the embedded node runs at once" };
        foreach (var o in new Option[] { StoreOption, siloPort, GatewayOption, noNode, slots, LeaseOption })
        {
            command.Options.Add(o);
        }

        command.SetAction((result, cancellationToken) => GuardAsync(async () =>
        {
            var lease = TimeSpan.FromSeconds(result.GetValue(LeaseOption));
            var settings = new SiloSettings
            {
                DataDirectory = CliApp.DataDir(result),
                Store = result.GetValue(StoreOption),
                Durability = result.GetValue(CliApp.DurabilityOption) == Engine.Store.CommitDurability.Process ? SqliteDurability.Process : SqliteDurability.Fsync,
                SiloPort = result.GetValue(siloPort),
                GatewayPort = result.GetValue(GatewayOption),
                EmbeddedNode = !result.GetValue(noNode),
                ConfigureNode = o => o.Slots = result.GetValue(slots),
                ConfigureRuntime = o => Lease(o, lease),
            };
            using var host = FlowMeshSilo.Build(settings);
            await host.StartAsync(cancellationToken);
            var silo = host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>();
            Console.WriteLine($"silo {silo.SiloAddress} up: gateway {silo.GatewayAddress?.Endpoint}, store {(settings.IsCluster ? "redis" : settings.DatabasePath)}");
            await WaitForStopAsync(cancellationToken);
            await host.StopAsync(CancellationToken.None);
            return 0;
        }));
        return command;
    }

    private static Command Agent()
    {
        var command = new Command("agent", "Join a cluster as a node (an Orleans client) and run the tasks placed on it until SIGTERM");
        var name = new Option<string?>("--name") { Description = "This node's id (default: agent-HOST-PID)" };
        var slots = new Option<int>("--slots") { Description = "Tasks to run at once", DefaultValueFactory = _ => Math.Max(4, Environment.ProcessorCount * 2) };
        foreach (var o in new Option[] { StoreOption, GatewayOption, ConnectOption, name, slots })
        {
            command.Options.Add(o);
        }

        command.SetAction((result, cancellationToken) => GuardAsync(async () =>
        {
            using var host = FlowMeshClientHost.Build(result.GetValue(StoreOption), Gateway(result));
            await ConnectAsync(host, result, cancellationToken);
            var settings = new NodeAgentSettings
            {
                NodeId = result.GetValue(name) ?? $"agent-{Environment.MachineName}-{Environment.ProcessId}",
                DataDirectory = CliApp.DataDir(result),
                CpuMillis = Environment.ProcessorCount * 1000L,
                MemoryBytes = Engine.Agent.MachineInfo.TotalMemoryBytes(),
                Slots = result.GetValue(slots),
            };
            var loggers = host.Services.GetRequiredService<ILoggerFactory>();
            var agent = new NodeAgent(host.Services.GetRequiredService<IGrainFactory>(), settings, NodeExecutors.Create("python3", new ContainerOptions()), TimeProvider.System, loggers.CreateLogger<NodeAgent>());
            agent.Reported += (attempt, outcome) => Console.WriteLine($"report {attempt.Task.Key} attempt {attempt.Attempt}: {outcome}");
            await agent.StartAsync(cancellationToken);
            Console.WriteLine($"agent {agent.NodeId} joined (epoch {agent.Epoch})");
            await WaitForStopAsync(cancellationToken);
            await agent.DisposeAsync();
            await host.StopAsync(CancellationToken.None);
            return 0;
        }));
        return command;
    }

    private static Command Submit()
    {
        var command = new Command("submit", "Submit a workflow file to a cluster; with --wait, follow it to its end (exit 0 when it succeeded)");
        var file = new Argument<string>("file") { Description = "The workflow file" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Follow the workflow and print its final state" };
        var tenant = new Option<string>("--tenant") { Description = "The tenant the workflow runs for", DefaultValueFactory = _ => "default" };
        command.Arguments.Add(file);
        foreach (var o in new Option[] { StoreOption, GatewayOption, ConnectOption, wait, tenant })
        {
            command.Options.Add(o);
        }

        command.SetAction((result, cancellationToken) => GuardAsync(async () =>
        {
            var parsed = WorkflowParser.ParseFile(result.GetValue(file)!);
            if (!parsed.Success)
            {
                foreach (var d in parsed.Diagnostics)
                {
                    Console.Error.WriteLine(d);
                }

                return 2;
            }

            // Quiet: a one-shot command says what went wrong in one line, not in the client's connection logs.
            using var host = FlowMeshClientHost.Build(result.GetValue(StoreOption), Gateway(result), logLevel: LogLevel.None);
            await ConnectAsync(host, result, cancellationToken);
            var client = new FlowMeshRuntimeClient(host.Services.GetRequiredService<IClusterClient>(), TimeProvider.System);
            var submitted = await client.SubmitAsync(parsed.Workflow!, result.GetValue(tenant)!, Environment.UserName, cancellationToken);
            Console.WriteLine(submitted.Id);
            if (!result.GetValue(wait))
            {
                return 0;
            }

            var state = await client.WaitAsync(submitted.Id, cancellationToken);
            Console.WriteLine($"{submitted.Id}: {state}");
            await host.StopAsync(CancellationToken.None);
            return state == WorkflowState.Succeeded ? 0 : 1;
        }));
        return command;
    }

    /// <summary>Bad addresses and an unreachable cluster end the command with a one-line error, not a stack trace.</summary>
    private static async Task<int> GuardAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (RedisAddressException ex)
        {
            await Console.Error.WriteLineAsync($"error: --store: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or Runtime.Hosting.RuntimeConfigurationException or SqliteStorageConfigurationException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Starts the client, giving up after --connect-seconds with a message that says where it looked.</summary>
    private static async Task ConnectAsync(Microsoft.Extensions.Hosting.IHost host, System.CommandLine.ParseResult result, CancellationToken cancellationToken)
    {
        var seconds = result.GetValue(ConnectOption);
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(TimeSpan.FromSeconds(seconds));
        try
        {
            await host.StartAsync(connect.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var where = result.GetValue(StoreOption) is { } store ? $"the silos registered in {RedisAddress.Redact(store)}" : $"127.0.0.1:{Gateway(result)}";
            throw new TimeoutException($"no silo answered at {where} within {seconds:0.#} s");
        }
    }

    private static int Gateway(System.CommandLine.ParseResult result) => result.GetValue(GatewayOption) is > 0 and var port ? port : 30000;

    private static void Lease(RuntimeOptions o, TimeSpan lease)
    {
        o.Lease = lease;
        o.HeartbeatInterval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(200).Ticks, lease.Ticks / 10));
        o.LeaseCheckInterval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(200).Ticks, lease.Ticks / 6));
        o.RequeueInterval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, lease.Ticks / 2));
    }

    private static async Task WaitForStopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
