using FlowMesh.Engine.Actors;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Scheduling;

/// <summary>What one scheduling pass learns as it goes: shapes of task that found no room, and nodes held for starving tasks.</summary>
internal sealed class Pass(List<NodeActor> up, DateTimeOffset now, ISchedulingHost host)
{
    public List<NodeActor> Up { get; } = up;

    public DateTimeOffset Now { get; } = now;

    public ISchedulingHost Host { get; } = host;

    /// <summary>Nothing frees up during a pass, so a task shaped like one that found no room finds none either.</summary>
    public Dictionary<(string Type, ResourceRequest Resources, string Selector), (string Why, List<NodeActor> Candidates)> NoRoom { get; } = [];

    /// <summary>Nodes no later task may take in this pass: a task that has waited too long needs them as they free up.</summary>
    public HashSet<NodeActor> Held { get; } = [];

    public void MaybeHold(QueuedTask entry, List<NodeActor> candidates, TimeSpan starvationAfter)
    {
        if (Now - entry.Since >= starvationAfter)
        {
            Held.UnionWith(candidates);
        }
    }
}
