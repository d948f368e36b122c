using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Workflows;

namespace FlowMesh.Server.Cluster;

/// <summary>A command handed to the leader through the inbox; which fields are set depends on the kind.</summary>
internal sealed record InboxCommand(
    string? WorkflowId = null,
    string? Reason = null,
    string? Task = null,
    string? NodeId = null,
    bool Cordoned = false,
    int Index = 0,
    WorkflowDefinition? Definition = null,
    string? Tenant = null,
    string? Submitter = null,
    NodeRegistration? Registration = null,
    Heartbeat? Beat = null,
    TaskReport? Report = null,
    LeaveRequest? Leave = null,
    System.Text.Json.Nodes.JsonNode? Data = null);
