namespace FlowMesh.Workflows;

public enum WorkflowFormat
{
    /// <summary>Detect from the content: an n8n export has <c>nodes</c> and <c>connections</c>.</summary>
    Auto,
    FlowMesh,
    N8n,
}
