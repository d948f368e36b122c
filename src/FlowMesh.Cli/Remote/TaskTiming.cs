namespace FlowMesh.Cli.Remote;

/// <summary>One task's last attempt as its events tell it: ready (queue starts), placed (run starts), ended.</summary>
internal sealed record TaskTiming(string Name, string State, IReadOnlyList<string> DependsOn, int Attempt, string? Node,
    DateTimeOffset? ReadyAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public TimeSpan? Queue => ReadyAt is { } r && StartedAt is { } s ? s - r : null;

    public TimeSpan? Run => StartedAt is { } s && FinishedAt is { } f ? f - s : null;
}
