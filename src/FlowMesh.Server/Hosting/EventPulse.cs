namespace FlowMesh.Server.Hosting;

/// <summary>
/// Wakes stream readers after each commit. Readers take <see cref="Next"/> before they query the store, so a commit that
/// lands between the query and the wait still wakes them: no event is missed and none is polled for.
/// </summary>
internal sealed class EventPulse
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Signal() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
