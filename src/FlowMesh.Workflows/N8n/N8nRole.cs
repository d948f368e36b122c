namespace FlowMesh.Workflows.N8n;

internal enum N8nRole
{
    Ignored,
    Task,
    Model,
    SetData,
    SetRuntime,
    SetResources,
    SetTraining,
    SetCheckpoint,
    UnknownSet,
    Unsupported,
}
