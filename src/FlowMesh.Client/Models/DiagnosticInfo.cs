namespace FlowMesh.Client.Models;

/// <summary>One problem in a workflow file, as precise as <c>flowmesh validate</c> reports it.</summary>
/// <param name="File">The file name given at submission.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Field">Path of the field at fault, such as <c>spec.graph.nodes[0].dependsOn</c>.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Text">The whole diagnostic as one line: <c>file:line:col: error: field: message</c>.</param>
public sealed record DiagnosticInfo(string File, int Line, int Column, string Field, string Message, string Text);
