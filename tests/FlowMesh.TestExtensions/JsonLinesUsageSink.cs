using System.Text.Json;
using FlowMesh.Server.Extensibility;

namespace FlowMesh.TestExtensions;

/// <summary>Appends each usage record as a JSON line to the file named by FLOWMESH_TEST_USAGE_FILE.</summary>
public sealed class JsonLinesUsageSink : IUsageSink
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public async ValueTask RecordAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("FLOWMESH_TEST_USAGE_FILE") is not { Length: > 0 } file)
        {
            return;
        }

        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await File.AppendAllLinesAsync(file, records.Select(r => JsonSerializer.Serialize(r)), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Gate.Release();
        }
    }
}
