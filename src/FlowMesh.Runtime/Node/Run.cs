namespace FlowMesh.Runtime.Node;

/// <summary>One attempt running on the agent: its cancellation and its task.</summary>
internal sealed class Run(CancellationTokenSource cts) : IDisposable
{
    public CancellationToken Token { get; } = cts.Token;

    public Task? Task { get; set; }

    public void Cancel()
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished meanwhile.
        }
    }

    public void Dispose() => cts.Dispose();
}
