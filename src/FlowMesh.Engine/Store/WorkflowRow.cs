namespace FlowMesh.Engine.Store;

public sealed record WorkflowRow(
    string Id,
    string Name,
    string State,
    long Version,
    string SourceFile,
    string Format,
    string? OwnerNode,
    string? Error,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? FinishedAt,
    int TaskCount,
    string Tenant = StoreSchema.DefaultTenant,
    string? Submitter = null);
