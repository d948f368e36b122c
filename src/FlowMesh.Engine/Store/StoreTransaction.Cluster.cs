namespace FlowMesh.Engine.Store;

public sealed partial class StoreTransaction
{
    /// <summary>
    /// Checks that <paramref name="term"/> is still the cluster's leadership term, and holds the leader row shared until
    /// commit, so a new leader's takeover waits for this transaction and every later one of the old leader fails here.
    /// </summary>
    public void Fence(long term)
    {
        Flush();
        using var cmd = Command("SELECT term FROM cluster_leader WHERE id = 1 FOR SHARE");
        var current = cmd.ExecuteScalar();
        if (current is null || Convert.ToInt64(current, System.Globalization.CultureInfo.InvariantCulture) != term)
        {
            throw new LeadershipLostException(term, current is null ? null : Convert.ToInt64(current, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Queues a batch of work or stop orders for a node's registration <paramref name="epoch"/>.</summary>
    public void EnqueueNodeWork(string nodeId, long epoch, string body)
    {
        using var cmd = Command("INSERT INTO node_work(node_id, epoch, body) VALUES (@node, @epoch, @body)");
        cmd.Add("@node", nodeId);
        cmd.Add("@epoch", epoch);
        cmd.Add("@body", body);
        Write(cmd);
    }

    /// <summary>A PostgreSQL notification, delivered to listeners when (and only if) this transaction commits.</summary>
    public void Notify(string channel, string payload)
    {
        using var cmd = Command("SELECT pg_notify(@channel, @payload)");
        cmd.Add("@channel", channel);
        cmd.Add("@payload", payload);
        Write(cmd);
    }
}
