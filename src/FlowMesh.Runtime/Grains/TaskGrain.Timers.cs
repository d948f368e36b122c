using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Grains;

internal sealed partial class TaskGrain
{
    private async Task ResumeAsync()
    {
        if (await AdoptAsync(await AckAsync()))
        {
            return;
        }

        if (S.State == TaskState.Ready && S.Work is not null && S.RetryAt is null && !S.Held)
        {
            await EnqueueAsync();
        }

        ArmTick();
    }

    /// <summary>While the task is queued, waiting for a retry or running, one timer keeps it honest.</summary>
    private void ArmTick()
    {
        var active = S.State is TaskState.Ready or TaskState.Running;
        if (!active)
        {
            _tick?.Dispose();
            _tick = null;
            return;
        }

        var period = options.Value.LeaseCheckInterval;
        _tick ??= this.RegisterGrainTimer(_ => TickAsync(), new GrainTimerCreationOptions(period, period) { KeepAlive = true });
    }

    private async Task TickAsync()
    {
        var now = time.GetUtcNow();
        if (S.Unacked is not null && await AdoptAsync(await AckAsync()))
        {
            // An outcome the workflow had not heard (its silo was moving) is re-sent each tick until it lands.
            return;
        }

        switch (S.State)
        {
            case TaskState.Ready when S.RetryAt is { } due && due <= now:
                S.RetryAt = null;
                await record.WriteStateAsync();
                if (!S.Held)
                {
                    await EnqueueAsync();
                }

                break;
            case TaskState.Ready when S.RetryAt is null && S.Work is not null && !S.Held && now - _queuedAt >= options.Value.RequeueInterval:
                await EnqueueAsync();
                break;
            case TaskState.Running when S.NodeId is { } node:
                await CheckLeaseAsync(node);
                break;
            default:
                break;
        }

        ArmTick();
    }

    private async Task CheckLeaseAsync(string node)
    {
        LeaseStatus status;
        try
        {
            status = await GrainFactory.GetGrain<INodeGrain>(node).CheckLeaseAsync(Ref, S.Attempt);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // The node grain is moving with its silo; ask again next tick.
            return;
        }

        if (status == LeaseStatus.Lost)
        {
            var attempt = S.Attempt;
            LogLeaseLost(logger, Ref.Key, node, attempt);
            End(TaskState.Ready, null, $"node {node} lost attempt {attempt}", $"lease lost: node {node} stopped holding attempt {attempt}");
            await record.WriteStateAsync();
            await ReleaseAsync(node, attempt, stop: true);
            if (!await AdoptAsync(await AckAsync()) && !S.Held)
            {
                await EnqueueAsync();
            }
        }
    }
}
