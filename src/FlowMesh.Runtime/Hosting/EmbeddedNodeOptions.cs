using FlowMesh.Abstractions;
using FlowMesh.Engine.Containers;

namespace FlowMesh.Runtime.Hosting;

/// <summary>The embedded node's offer: by default this machine's CPUs and memory and every executor it can run.</summary>
public sealed class EmbeddedNodeOptions
{
    /// <summary>Defaults to <c>embedded-HOST-PID-XXXXXX</c>: a new node per process, so a restarted silo never adopts a dead one's work.</summary>
    public string? NodeId { get; set; }

    public double Cpus { get; set; }

    public long MemoryBytes { get; set; }

    public int Slots { get; set; }

    public IList<GpuInfo> Gpus { get; } = [];

    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string PythonInterpreter { get; set; } = "python3";

    public ContainerOptions Containers { get; set; } = new();

    /// <summary>Executors to run instead of the defaults (tests give a few).</summary>
    public IList<Engine.Executors.IExecutor>? Executors { get; set; }
}
