namespace FlowMesh.Abstractions;

/// <summary>A transition the state machine does not allow.</summary>
public sealed class InvalidTransitionException(string machine, string from, string to)
    : InvalidOperationException($"{machine}: invalid transition {from} -> {to}")
{
    public string Machine { get; } = machine;

    public string From { get; } = from;

    public string To { get; } = to;
}
