using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.N8n;

internal sealed record N8nNode(string Name, string Type, MappingNode Source, MappingNode Parameters, string Path, N8nRole Role);
