namespace FlowMesh.Engine.Containers;

/// <summary>How a node runs container tasks. Defaults suit a single-user machine; a shared node narrows them.</summary>
public sealed class ContainerOptions
{
    /// <summary>The Docker or Podman API socket. Default null: DOCKER_HOST (unix://), else the usual socket paths.</summary>
    public string? Socket { get; set; }

    /// <summary>Network mode when a task names none. Default <c>bridge</c>; <c>none</c> cuts tasks off the network.</summary>
    public string DefaultNetwork { get; set; } = "bridge";

    /// <summary>
    /// Host directories a task's <c>mounts</c> may name (a source must lie under one). Default empty: no host mounts,
    /// so a tenant's workflow cannot read the node's files.
    /// </summary>
    public IList<string> AllowedMountRoots { get; } = [];

    /// <summary>
    /// <c>host:container[:ro]</c> binds added to every task container on this node (a shared model cache, site
    /// tooling). Default empty. Unlike a workflow's <c>mounts</c>, these are the node operator's choice.
    /// </summary>
    public IList<string> ExtraBinds { get; } = [];

    /// <summary>Seconds a container task may run when its spec sets no timeout. Default 3600.</summary>
    public double DefaultTimeoutSeconds { get; set; } = 3600;

    /// <summary>Names the containers this node starts (label <c>flowmesh.node</c>), so a restarted agent can find its own.</summary>
    public string NodeLabel { get; set; } = Environment.MachineName;

    /// <summary>
    /// Trainer image per training taskType (sft, lora_sft, dpo, ppo). Default none: a training task fails, naming the
    /// flag that sets one (<c>flowmesh node --train-image sft=IMAGE</c>).
    /// </summary>
    public IDictionary<string, string> TrainingImages { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Entrypoint per training taskType, replacing the image's own. Default none.</summary>
    public IDictionary<string, IReadOnlyList<string>> TrainingEntrypoints { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>How inference and embedding tasks start their model servers.</summary>
    public ModelServerOptions ModelServers { get; } = new();

    public void Validate()
    {
        ModelServers.Validate();
        if (DefaultNetwork is not ("bridge" or "host" or "none"))
        {
            throw new ArgumentException($"ContainerOptions.DefaultNetwork must be bridge, host or none, not '{DefaultNetwork}'");
        }

        if (DefaultTimeoutSeconds <= 0)
        {
            throw new ArgumentException("ContainerOptions.DefaultTimeoutSeconds must be positive");
        }

        if (AllowedMountRoots.Any(r => !Path.IsPathRooted(r)))
        {
            throw new ArgumentException("ContainerOptions.AllowedMountRoots must be absolute paths");
        }
    }
}
