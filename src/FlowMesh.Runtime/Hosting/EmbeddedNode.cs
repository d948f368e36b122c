using FlowMesh.Engine.Agent;
using FlowMesh.Engine.Executors;
using FlowMesh.Runtime.Node;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowMesh.Runtime.Hosting;

/// <summary>The node agent that runs inside a silo: it starts when the silo is active and leaves before the silo stops.</summary>
internal sealed class EmbeddedNode(IGrainFactory grains, IOptions<EmbeddedNodeOptions> options, IOptions<RuntimeOptions> runtime, TimeProvider time, ILoggerFactory loggers)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private NodeAgent? _agent;

    public NodeAgent? Agent => _agent;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(EmbeddedNode), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var executors = o.Executors ?? [.. NodeExecutors.Create(o.PythonInterpreter, o.Containers)];
        var settings = new NodeAgentSettings
        {
            NodeId = o.NodeId ?? $"embedded-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}",
            DataDirectory = runtime.Value.DataDirectory,
            CpuMillis = (long)((o.Cpus > 0 ? o.Cpus : Environment.ProcessorCount) * 1000),
            MemoryBytes = o.MemoryBytes > 0 ? o.MemoryBytes : MachineInfo.TotalMemoryBytes(),
            Slots = o.Slots > 0 ? o.Slots : Math.Max(4, Environment.ProcessorCount * 4),
            Gpus = [.. o.Gpus],
            Labels = new Dictionary<string, string>(o.Labels, StringComparer.Ordinal),
        };
        _agent = new NodeAgent(grains, settings, executors, time, loggers.CreateLogger<NodeAgent>());
        await _agent.StartAsync(cancellationToken);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }
    }
}
