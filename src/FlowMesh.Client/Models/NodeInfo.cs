namespace FlowMesh.Client.Models;

/// <summary>A node: what it has, what is free, and what runs on it.</summary>
/// <param name="Id">Node id.</param>
/// <param name="State">Up, Draining, Lost or Left (a node whose process is gone reads Lost).</param>
/// <param name="Host">Host name.</param>
/// <param name="Cordoned">True when it takes no new work.</param>
/// <param name="HeartbeatAt">Its last heartbeat.</param>
/// <param name="Capacity">What it offers.</param>
/// <param name="Free">What is not reserved by running tasks.</param>
/// <param name="RunningTasks">The caller's tasks running on it.</param>
/// <param name="OtherTenantsTasks">How many tasks of other tenants run on it (not who).</param>
/// <param name="WarmModels">Models loaded and ready on it.</param>
public sealed record NodeInfo(
    string Id,
    string State,
    string Host,
    bool Cordoned,
    DateTimeOffset HeartbeatAt,
    NodeResources Capacity,
    NodeResources Free,
    IReadOnlyList<TaskRef> RunningTasks,
    int OtherTenantsTasks,
    IReadOnlyList<string> WarmModels);
