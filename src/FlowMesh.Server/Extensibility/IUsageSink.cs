namespace FlowMesh.Server.Extensibility;

/// <summary>Receives a row for every task attempt that ended on a node, after the row is durable in the store.</summary>
public interface IUsageSink
{
    /// <summary>Called once per commit with that commit's rows; must not throw (failures are logged and dropped).</summary>
    ValueTask RecordAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken);
}
