using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Runtime;
using FlowMesh.Workflows;

namespace FlowMesh.Server.Hosting;

/// <summary>
/// How a request reaches the engine: in-process when this server is alone, or through the store's inbox to whichever
/// replica leads the cluster. Failures are the engine's own: KeyNotFoundException, InvalidOperationException,
/// <see cref="StaleEpochException"/>.
/// </summary>
internal interface IEngineGateway
{
    /// <summary>The engine's counters when it runs in this process (alone, or as the leader); otherwise null.</summary>
    EngineCounters? Counters { get; }

    Task<string> SubmitAsync(WorkflowDefinition definition, string tenant, string? submitter, CancellationToken cancellationToken);

    Task<string> CancelAsync(string workflowId, string reason, CancellationToken cancellationToken);

    Task<int> RetryAsync(string workflowId, CancellationToken cancellationToken);

    /// <summary>Pauses or resumes placing a workflow's tasks; returns its state.</summary>
    Task<string> PauseAsync(string workflowId, bool paused, CancellationToken cancellationToken);

    Task<string> StopTaskAsync(string workflowId, string task, string reason, CancellationToken cancellationToken);

    /// <summary>Decides an approval gate; the caller has already checked the signal's token.</summary>
    Task<SignalOutcome> SignalAsync(string workflowId, string task, int gate, bool approve, string by, System.Text.Json.Nodes.JsonNode? data, CancellationToken cancellationToken);

    Task<bool> CordonAsync(string nodeId, bool cordoned, CancellationToken cancellationToken);

    Task<NodeWelcome> RegisterNodeAsync(NodeRegistration registration, CancellationToken cancellationToken);

    Task<HeartbeatReply> HeartbeatAsync(string nodeId, Heartbeat beat, CancellationToken cancellationToken);

    Task<WorkBatch> TakeWorkAsync(string nodeId, long epoch, TimeSpan wait, CancellationToken cancellationToken);

    Task<bool> ReportAsync(string nodeId, string workflowId, int index, TaskReport report, CancellationToken cancellationToken);


    Task<bool> LeaveNodeAsync(string nodeId, LeaveRequest request, CancellationToken cancellationToken);
}
