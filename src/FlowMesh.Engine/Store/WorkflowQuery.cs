namespace FlowMesh.Engine.Store;

/// <summary>A page request over one tenant's workflows, newest first; <see cref="Before"/> is the keyset cursor.</summary>
public sealed record WorkflowQuery(
    string TenantId,
    int Limit,
    string? State = null,
    string? Name = null,
    string? Submitter = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    (DateTimeOffset SubmittedAt, string Id)? Before = null);
