using FlowMesh.Engine.Actors;

namespace FlowMesh.Engine.Runtime;

/// <summary>One task of a merged batch: which of the batch's items (<paramref name="Start"/>, <paramref name="Count"/>) are its own.</summary>
internal sealed record BatchMember(WorkflowActor Workflow, TaskActor Task, int Attempt, int Start, int Count);
