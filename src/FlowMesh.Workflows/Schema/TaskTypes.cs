namespace FlowMesh.Workflows.Schema;

/// <summary>Every taskType FlowMesh knows, grouped by the fields they take.</summary>
public static class TaskTypes
{
    public const string Echo = "echo";
    public const string Python = "python";
    public const string Inference = "inference";
    public const string Ssh = "ssh";

    /// <summary>
    /// A gate that waits for a signal (a person's approval or an external event) instead of running anything (a FlowMesh
    /// .NET addition: <c>approval: {message, timeoutSeconds}</c>).
    /// </summary>
    public const string Approval = "approval";

    /// <summary>An arbitrary container job (a FlowMesh .NET addition: image, command, env, mounts, limits).</summary>
    public const string Container = "container";

    internal static readonly string[] ModelInfer =
    [
        "inference", "embedding", "diffusion",
        "omni_text2image", "omni_text2speech", "omni_text2audio", "omni_text2general", "omni_text2video",
    ];

    internal static readonly string[] Training = ["sft", "lora_sft", "dpo", "ppo", "image_classification_training", "image_classification"];

    internal static readonly string[] Other = ["rag", "agent", "api", "data_profiling", "data_retrieval", "echo", "ssh", "serve", "python", "container", "approval"];

    public static IReadOnlyList<string> All { get; } = [.. ModelInfer, .. Training, .. Other];

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}
