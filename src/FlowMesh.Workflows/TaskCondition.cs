namespace FlowMesh.Workflows;

/// <summary>Run the task only when <c>Field</c> of <c>Node</c>'s result equals <c>EqualsValue</c> (string compare).</summary>
public sealed record TaskCondition(string Node, string Field, string EqualsValue);
