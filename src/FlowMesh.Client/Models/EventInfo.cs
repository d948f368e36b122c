using System.Text.Json;

namespace FlowMesh.Client.Models;

/// <summary>One entry of a workflow's ordered event stream.</summary>
/// <param name="Seq">Position in the stream, from 1, without gaps: the SSE <c>id</c> and the resume cursor.</param>
/// <param name="At">When it was committed.</param>
/// <param name="Kind">workflow.submitted, workflow.state, task.state, task.log, task.result, task.waiting, ...</param>
/// <param name="Task">The task it concerns, if any.</param>
/// <param name="Data">Kind-specific payload.</param>
public sealed record EventInfo(long Seq, DateTimeOffset At, string Kind, string? Task, JsonElement Data);
