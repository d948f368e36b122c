namespace FlowMesh.Engine.Containers;

/// <summary>One running model-server container: what it serves (its key), where, on which GPUs, and whether a task uses it.</summary>
internal sealed class ModelServer(string key, string model, string containerId, Uri baseAddress, IReadOnlyList<int> gpus)
{
    public string Model { get; } = model;

    public string Key { get; } = key;

    public string ContainerId { get; } = containerId;

    public Uri BaseAddress { get; } = baseAddress;

    public IReadOnlyList<int> Gpus { get; } = gpus;

    public bool Busy { get; set; }

    public DateTimeOffset IdleSince { get; set; }

    public int TasksServed { get; set; }
}
