using FlowMesh.Engine.Executors;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Runtime;

/// <summary>A task placed on a node under a lease; <see cref="ExecutionRequest.Attempt"/> is its fencing epoch.</summary>
internal sealed record Assignment(string WorkflowId, int Index, ExecutionRequest Request, ResourceRequest Resources, int[] Gpus, string NodeId);
