using FlowMesh.Client;
using FlowMesh.Client.Models;

namespace FlowMesh.Tests.Support;

/// <summary>Waits on a workflow by following its event stream (no polling, no sleeps), bounded by a timeout.</summary>
internal static class WorkflowWaits
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    public static Task<WorkflowInfo> WaitForEndAsync(this FlowMeshClient client, string workflowId) =>
        client.WaitForAsync(workflowId, w => w.Workflow.State is "Succeeded" or "Failed" or "Cancelled");

    /// <summary>Reads the workflow after each event until <paramref name="done"/> holds (or the stream ends).</summary>
    public static async Task<WorkflowInfo> WaitForAsync(this FlowMeshClient client, string workflowId, Func<WorkflowInfo, bool> done)
    {
        using var timeout = new CancellationTokenSource(Limit);
        var info = await client.GetAsync(workflowId, timeout.Token);
        if (done(info))
        {
            return info;
        }

        await foreach (var _ in client.WatchAsync(workflowId, cancellationToken: timeout.Token))
        {
            info = await client.GetAsync(workflowId, timeout.Token);
            if (done(info))
            {
                return info;
            }
        }

        return await client.GetAsync(workflowId, timeout.Token);
    }
}
