using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Grains;

/// <summary>A node grain's durable state: who the node is and its epoch (what runs there is the agent's to say).</summary>
[GenerateSerializer, Alias("fm.NodeRecord")]
public sealed class NodeRecord
{
    [Id(0)]
    public NodeRegistration? Registration { get; set; }

    [Id(1)]
    public long Epoch { get; set; }

    [Id(2)]
    public NodeState State { get; set; } = NodeState.Left;

    [Id(3)]
    public bool Cordoned { get; set; }
}
