using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Grains;

/// <summary>Holds while the workflow is paused, and the switch to a fallback once the attempts are spent.</summary>
internal sealed partial class TaskGrain
{
    private bool IsTerminal => StateMachines.Task.IsTerminal(S.State);

    public async Task HoldAsync(TaskWork work, long pauseSeq)
    {
        if (pauseSeq < S.HoldSeq || IsTerminal)
        {
            return;
        }

        var changed = !S.Held || S.HoldSeq != pauseSeq || S.Work is null;
        S.Held = true;
        S.HoldSeq = pauseSeq;
        if (S.Work is null)
        {
            TakeWork(work);
        }

        // Written (unlike a plain ready): an activation after a move would otherwise queue the task while it is paused.
        if (changed)
        {
            await record.WriteStateAsync();
        }

        ArmTick();
    }

    public async Task UnholdAsync(TaskWork work, long resumeSeq)
    {
        if (resumeSeq < S.HoldSeq || IsTerminal)
        {
            return;
        }

        var wasHeld = S.Held;
        S.Held = false;
        S.HoldSeq = resumeSeq;
        if (S.Work is null)
        {
            TakeWork(work);
        }

        if (wasHeld)
        {
            await record.WriteStateAsync();
        }

        if (S.State == TaskState.Ready && S.RetryAt is null)
        {
            await EnqueueAsync();
        }

        ArmTick();
    }

    private void TakeWork(TaskWork work)
    {
        S.Work = work;
        S.State = TaskState.Ready;
        S.ReadySince = time.GetUtcNow();
    }

    /// <summary>The attempts are spent: the fallback runs in the task's place, once, as the next attempt.</summary>
    private async Task<ReportOutcome> FallBackAsync(TaskWork fallback, string node, TaskReport report)
    {
        S.Work = fallback;
        S.UsingFallback = true;
        End(TaskState.Ready, null, report.Error, $"fallback ({fallback.TaskType}) after: {report.Error}");
        S.Unacked = S.Unacked! with { Logs = report.Logs, FallbackType = fallback.TaskType };

        // Written before anyone hears of it (not alongside, as an outcome is): a grain that restarts must go on with the
        // fallback, never run the spent task again and switch a second time.
        await record.WriteStateAsync();
        await ReleaseAsync(node, report.Attempt, stop: false);
        if (!await AdoptAsync(await AckAsync()) && S.State == TaskState.Ready && !S.Held)
        {
            await EnqueueAsync();
        }

        ArmTick();
        return ReportOutcome.Accepted;
    }
}
