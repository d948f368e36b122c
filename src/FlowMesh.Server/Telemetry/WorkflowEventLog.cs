using System.Text.Json.Nodes;
using FlowMesh.Engine.Store;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Server.Telemetry;

/// <summary>
/// Structured log lines for what the engine committed: workflows submitted and finished, tasks placed and ended, each
/// with WorkflowId (and Task) as fields, so a log pipeline can join them to the event stream and the traces.
/// </summary>
internal sealed class WorkflowEventLog(ILogger<WorkflowEventLog> logger)
{
    public void Write(IReadOnlyList<EventRow> events)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        foreach (var e in events)
        {
            if (e.Kind is not ("workflow.submitted" or "workflow.state" or "task.state"))
            {
                continue;
            }

            // Runs on the engine's loop after each commit: each event's data is parsed once, and only for these kinds.
            var data = JsonNode.Parse(e.Data);
            string? Field(string name) => data?[name]?.ToString();
            switch (e.Kind)
            {
                case "workflow.submitted":
                    logger.LogInformation("workflow {WorkflowId} submitted ({Tasks} tasks)", e.WorkflowId, Field("tasks"));
                    break;
                case "workflow.state" when Field("state") is "Succeeded":
                    logger.LogInformation("workflow {WorkflowId} Succeeded", e.WorkflowId);
                    break;
                case "workflow.state" when Field("state") is { } state && state != "Running":
                    logger.LogWarning("workflow {WorkflowId} {State}: {Error}", e.WorkflowId, state, Field("error") ?? "cancelled");
                    break;
                case "task.state" when Field("state") is "Failed" or "Cancelled":
                    logger.LogWarning("task {WorkflowId}/{Task} {State} (attempt {Attempt}): {Error}", e.WorkflowId, e.Task, Field("state"), Field("attempt"), Field("error"));
                    break;
                case "task.state" when logger.IsEnabled(LogLevel.Debug):
                    logger.LogDebug("task {WorkflowId}/{Task} {State} (attempt {Attempt}) on {Node}", e.WorkflowId, e.Task, Field("state"), Field("attempt"), Field("node") ?? "-");
                    break;
            }
        }
    }
}
