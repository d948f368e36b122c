using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Containers;

namespace FlowMesh.Engine.Agent;

/// <summary>Settings of <c>flowmesh node</c>, the agent that joins a server and runs the tasks placed on this machine.</summary>
public sealed class NodeAgentOptions
{
    /// <summary>The server's base address, e.g. <c>http://10.0.0.5:8080</c>. Required.</summary>
    public Uri? Server { get; set; }

    /// <summary>
    /// Other replicas of the same cluster. The agent talks to one at a time and moves to the next when the current one
    /// cannot be reached or answers 502, 503 or 504. Default empty.
    /// </summary>
    public IList<Uri> OtherServers { get; } = [];

    /// <summary><see cref="Server"/> then <see cref="OtherServers"/>.</summary>
    public IReadOnlyList<Uri> Servers => [.. new[] { Server! }.Concat(OtherServers)];

    /// <summary>An API key of a system-tenant admin. Required.</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>This node's stable id. Default null: <c>node-HOST-XXXXXX</c>, kept in <c>WorkDirectory/node-id</c> across restarts.</summary>
    public string? NodeId { get; set; }

    /// <summary>Where task inputs, work files and outputs live on this machine. Default <c>~/.local/share/flowmesh/node</c>.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Runtime.DataDirectory.Default(), "node");

    /// <summary>CPUs offered. Default 0: the machine's logical CPU count.</summary>
    public double Cpus { get; set; }

    /// <summary>Memory offered in bytes. Default 0: the machine's total memory.</summary>
    public long MemoryBytes { get; set; }

    /// <summary>Tasks run at once. Default 0: twice the CPU count, at least 4.</summary>
    public int Slots { get; set; }

    /// <summary>GPUs declared in configuration. Default empty: what <c>nvidia-smi</c> reports (none when it is absent).</summary>
    public IList<GpuDevice> Gpus { get; } = [];

    /// <summary>Free key/value capabilities advertised to the scheduler.</summary>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Models this node holds loaded; tasks on the same model prefer this node.</summary>
    public IList<string> WarmModels { get; } = [];

    /// <summary>
    /// A Hugging Face hub cache to report the models of (<c>models--ORG--NAME</c> folders): tasks on those models prefer
    /// this node after one holding them warm. Default: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub.
    /// </summary>
    public string ModelCacheDirectory { get; set; } = Environment.GetEnvironmentVariable("HF_HUB_CACHE")
        ?? (Environment.GetEnvironmentVariable("HF_HOME") is { } home ? Path.Combine(home, "hub")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface", "hub"));

    /// <summary>How long SIGTERM waits for running tasks before it hands the rest back. Default 30 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one long poll waits for work before it asks again. Default 25 s.</summary>
    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Log lines sent per report while a task runs. Default 64.</summary>
    public int LogBatchLines { get; set; } = 64;

    /// <summary>Python interpreter for python tasks. Default <c>python3</c> (or FLOWMESH_PYTHON).</summary>
    public string PythonInterpreter { get; set; } = Environment.GetEnvironmentVariable("FLOWMESH_PYTHON") ?? "python3";

    public ContainerOptions Containers { get; } = new();

    public void Validate()
    {
        if (Server is null || !Server.IsAbsoluteUri || Server.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException("NodeAgentOptions.Server must be an http(s) URL");
        }

        if (OtherServers.Any(s => !s.IsAbsoluteUri || s.Scheme is not ("http" or "https")))
        {
            throw new ArgumentException("NodeAgentOptions.OtherServers must be http(s) URLs");
        }

        if (string.IsNullOrWhiteSpace(Token))
        {
            throw new ArgumentException("NodeAgentOptions.Token must be set (an admin key of the system tenant)");
        }

        if (Cpus < 0 || MemoryBytes < 0 || Slots < 0 || DrainTimeout < TimeSpan.Zero || PollWait <= TimeSpan.Zero || LogBatchLines < 1)
        {
            throw new ArgumentException("NodeAgentOptions: capacity, drain timeout, poll wait and log batch cannot be negative");
        }

        if (Gpus.Select(g => g.Index).Distinct().Count() != Gpus.Count)
        {
            throw new ArgumentException("NodeAgentOptions.Gpus: each declared GPU needs its own index");
        }

        Containers.Validate();
    }
}
