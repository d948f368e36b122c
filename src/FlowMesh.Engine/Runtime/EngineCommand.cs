using System.Text.Json.Nodes;
using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Runtime;

/// <summary>Messages to the engine's single writer loop.</summary>
internal abstract record EngineCommand
{
    internal sealed record Submit(WorkflowDefinition Definition, string Tenant, string? Submitter, TaskCompletionSource<string> Ack) : EngineCommand;

    internal sealed record Retry(string WorkflowId, TaskCompletionSource<int> Ack) : EngineCommand;

    internal sealed record StopTask(string WorkflowId, string Task, string Reason, TaskCompletionSource<string> Ack) : EngineCommand;

    internal sealed record Cordon(string NodeId, bool Cordoned, TaskCompletionSource<bool> Ack) : EngineCommand;

    /// <summary>Decides approval gate <paramref name="Gate"/> (the attempt it opened with) of a task.</summary>
    internal sealed record Signal(string WorkflowId, string Task, int Gate, bool Approve, string By, JsonNode? Data, TaskCompletionSource<SignalOutcome> Ack) : EngineCommand;

    /// <summary>Pauses (or resumes) placing a workflow's tasks.</summary>
    internal sealed record Pause(string WorkflowId, bool Paused, TaskCompletionSource<string> Ack) : EngineCommand;

    internal sealed record Resume(string WorkflowId, TaskCompletionSource<string> Ack) : EngineCommand;

    internal sealed record Cancel(string WorkflowId, string Reason, TaskCompletionSource<string> Ack) : EngineCommand;

    /// <summary>
    /// An executor finished; <paramref name="Attempt"/> fences out reports from an earlier placement, and a remote
    /// node's report must also come from the node that holds the lease. <paramref name="Ack"/> says whether it was taken.
    /// </summary>
    internal sealed record Finished(string WorkflowId, int Index, int Attempt, bool Succeeded, JsonNode? Result, string? Error, IReadOnlyList<LogLine> Lines,
        string? NodeId = null, TaskCompletionSource<bool>? Ack = null, bool Refused = false) : EngineCommand;

    internal sealed record Logs(string WorkflowId, int Index, int Attempt, IReadOnlyList<LogLine> Lines, string? NodeId = null, TaskCompletionSource<bool>? Ack = null) : EngineCommand;

    internal sealed record RegisterNode(NodeRegistration Registration, TaskCompletionSource<NodeWelcome> Ack) : EngineCommand;

    internal sealed record NodeHeartbeat(string NodeId, Heartbeat Beat, TaskCompletionSource<HeartbeatReply> Ack) : EngineCommand;

    internal sealed record LeaveNode(string NodeId, LeaveRequest Request, TaskCompletionSource<bool> Ack) : EngineCommand;

    /// <summary>The lease clock: expires leases and marks silent nodes lost.</summary>
    internal sealed record Tick : EngineCommand
    {
        public static Tick Instance { get; } = new();
    }
}
