namespace FlowMesh.Engine.Containers;

/// <summary>
/// How a node starts model servers for inference and embedding tasks: the image per engine, and optionally the
/// entrypoint and extra bind mounts (for a custom server image). Defaults follow vLLM's OpenAI-compatible image.
/// </summary>
public sealed class ModelServerOptions
{
    /// <summary>Image per engine (<c>vllm</c>, <c>transformers</c>). Default: vllm → <c>vllm/vllm-openai:latest</c>.</summary>
    public IDictionary<string, string> Images { get; } = new Dictionary<string, string>(StringComparer.Ordinal) { ["vllm"] = "vllm/vllm-openai:latest" };

    /// <summary>Entrypoint per engine, replacing the image's own. Default none: the image's (vLLM's API server).</summary>
    public IDictionary<string, IReadOnlyList<string>> Entrypoints { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>Extra <c>host:container[:ro]</c> binds for every model server (model caches, a custom server's files).</summary>
    public IList<string> Binds { get; } = [];

    /// <summary>How long a server may take to answer its health check after it starts. Default 15 minutes (large models load slowly).</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long an idle server stays warm for the next task on the same model. Default 5 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Rows sent to the server at once. Default 8.</summary>
    public int Concurrency { get; set; } = 8;

    public void Validate()
    {
        if (StartupTimeout <= TimeSpan.Zero || IdleTimeout < TimeSpan.Zero || Concurrency < 1)
        {
            throw new ArgumentException("ModelServerOptions: StartupTimeout must be positive, IdleTimeout not negative, Concurrency at least 1");
        }
    }
}
