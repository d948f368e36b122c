using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Node;

/// <summary>Who a node agent is and what it offers: its registration, less what it runs.</summary>
public sealed class NodeAgentSettings
{
    public required string NodeId { get; init; }

    /// <summary>Where results (<c>results/WORKFLOW/TASK</c>) and scratch directories go; shared by every node of a cluster that reads inputs.</summary>
    public required string DataDirectory { get; init; }

    public long CpuMillis { get; init; }

    public long MemoryBytes { get; init; }

    public IReadOnlyList<GpuInfo> Gpus { get; init; } = [];

    public int Slots { get; init; } = Environment.ProcessorCount * 4;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyList<string> WarmModels { get; init; } = [];

    /// <summary>Lines per log batch an attempt sends while it runs.</summary>
    public int LogBatchLines { get; init; } = 200;

    /// <summary>How long a report is retried while the cluster cannot take it (a silo moving) before the agent gives up on it.</summary>
    public TimeSpan ReportPatience { get; init; } = TimeSpan.FromMinutes(2);
}
