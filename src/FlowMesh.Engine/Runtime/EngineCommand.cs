using System.Text.Json.Nodes;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Runtime;

/// <summary>Messages to the engine's single writer loop.</summary>
internal abstract record EngineCommand
{
    internal sealed record Submit(WorkflowDefinition Definition, string Tenant, string? Submitter, TaskCompletionSource<string> Ack) : EngineCommand;

    internal sealed record Retry(string WorkflowId, TaskCompletionSource<int> Ack) : EngineCommand;

    internal sealed record StopTask(string WorkflowId, string Task, string Reason, TaskCompletionSource<string> Ack) : EngineCommand;

    internal sealed record Cordon(string NodeId, bool Cordoned, TaskCompletionSource<bool> Ack) : EngineCommand;

    internal sealed record Resume(string WorkflowId, TaskCompletionSource<string> Ack) : EngineCommand;

    internal sealed record Cancel(string WorkflowId, string Reason, TaskCompletionSource<string> Ack) : EngineCommand;

    /// <summary>An executor finished; <paramref name="Attempt"/> fences out reports from an earlier placement.</summary>
    internal sealed record Finished(string WorkflowId, int Index, int Attempt, bool Succeeded, JsonNode? Result, string? Error, IReadOnlyList<LogLine> Lines) : EngineCommand;

    internal sealed record Logs(string WorkflowId, int Index, int Attempt, IReadOnlyList<LogLine> Lines) : EngineCommand;
}
