using System.Text.Json.Nodes;
using FlowMesh.Engine.Runtime;

namespace FlowMesh.Engine.Agent.Protocol;

/// <summary>
/// A node's report on a task it holds. With <see cref="Finished"/> false it carries log lines only; with true it ends
/// the attempt. A report whose attempt is no longer the task's current one is refused. <see cref="Refused"/> hands the
/// task back unrun (it did not fit what the node had free): it goes back to the queue rather than failing.
/// </summary>
public sealed record TaskReport(int Attempt, bool Finished, bool Succeeded, JsonNode? Result, string? Error, IReadOnlyList<LogLine> Lines, bool Refused = false);
