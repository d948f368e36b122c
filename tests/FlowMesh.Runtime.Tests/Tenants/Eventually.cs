namespace FlowMesh.Runtime.Tests.Tenants;

/// <summary>Waits for a condition that only polling can observe (a grain's memory), bounded by the scenario's token.</summary>
internal static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }
}
