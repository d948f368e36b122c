using System.Text.Json.Nodes;

namespace FlowMesh.Engine.Executors;

/// <summary>What an executor returns: a result object on success, or an error that names the cause.</summary>
public sealed record ExecutionOutcome(bool Succeeded, JsonNode? Result, string? Error)
{
    public static ExecutionOutcome Success(JsonNode? result) => new(true, result, null);

    public static ExecutionOutcome Failure(string error) => new(false, null, error);
}
