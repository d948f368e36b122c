using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Runtime;
using FlowMesh.Workflows;

namespace FlowMesh.Server.Hosting;

/// <summary>A server alone over its store: every command goes straight into the engine's mailbox.</summary>
internal sealed class LocalEngineGateway(FlowMeshEngine engine) : IEngineGateway
{
    public EngineCounters? Counters => engine.Counters;

    public Task<string> SubmitAsync(WorkflowDefinition definition, string tenant, string? submitter, CancellationToken cancellationToken) =>
        engine.SubmitAsync(definition, tenant, submitter, cancellationToken);

    public Task<string> CancelAsync(string workflowId, string reason, CancellationToken cancellationToken) => engine.CancelAsync(workflowId, reason, cancellationToken);

    public Task<string> PauseAsync(string workflowId, bool paused, CancellationToken cancellationToken) => engine.PauseAsync(workflowId, paused, cancellationToken);

    public Task<int> RetryAsync(string workflowId, CancellationToken cancellationToken) => engine.RetryAsync(workflowId, cancellationToken);

    public Task<string> StopTaskAsync(string workflowId, string task, string reason, CancellationToken cancellationToken) =>
        engine.StopTaskAsync(workflowId, task, reason, cancellationToken);

    public Task<SignalOutcome> SignalAsync(string workflowId, string task, int gate, bool approve, string by, System.Text.Json.Nodes.JsonNode? data, CancellationToken cancellationToken) =>
        engine.SignalAsync(workflowId, task, gate, approve, by, data, cancellationToken);

    public Task<bool> CordonAsync(string nodeId, bool cordoned, CancellationToken cancellationToken) => engine.CordonAsync(nodeId, cordoned, cancellationToken);

    public Task<NodeWelcome> RegisterNodeAsync(NodeRegistration registration, CancellationToken cancellationToken) => engine.RegisterNodeAsync(registration, cancellationToken);

    public Task<HeartbeatReply> HeartbeatAsync(string nodeId, Heartbeat beat, CancellationToken cancellationToken) => engine.HeartbeatAsync(nodeId, beat, cancellationToken);

    public Task<WorkBatch> TakeWorkAsync(string nodeId, long epoch, TimeSpan wait, CancellationToken cancellationToken) =>
        engine.TakeWorkAsync(nodeId, epoch, wait, cancellationToken);

    public Task<bool> ReportAsync(string nodeId, string workflowId, int index, TaskReport report, CancellationToken cancellationToken) =>
        engine.ReportAsync(nodeId, workflowId, index, report, cancellationToken);


    public Task<bool> LeaveNodeAsync(string nodeId, LeaveRequest request, CancellationToken cancellationToken) => engine.LeaveNodeAsync(nodeId, request, cancellationToken);
}
