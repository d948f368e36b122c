using System.Globalization;
using System.Text.Json;
using FlowMesh.Abstractions;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace FlowMesh.Runtime.Storage;

/// <summary>
/// The workflow event log in Redis: one sorted set per workflow, scored by seq, each member the entry as compact JSON.
/// An append is durable once acknowledged only when the server runs with <c>appendfsync always</c> (.ci/redis-up.sh
/// does); with <c>everysec</c> a crash may lose the last second.
/// </summary>
internal sealed partial class RedisWorkflowEventStore(IConnectionMultiplexer redis, ILogger<RedisWorkflowEventStore> logger)
    : IWorkflowEventStore
{
    // ZADD NX would not do: the member holds the whole entry, so a replay whose timestamp or data differs would be a
    // new member at the same score. Whether the seq is taken is asked of the score, inside the script, so the check
    // and the add are one atomic step. Returns how many entries were added.
    private const string AppendScript =
        """
        local added = 0
        for i = 1, #ARGV, 2 do
          if #redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[i], ARGV[i], 'LIMIT', 0, 1) == 0 then
            redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
            added = added + 1
          end
        end
        return added
        """;

    /// <summary>The key of a workflow's log; the braces are a hash tag, so a Redis Cluster keeps it in one slot.</summary>
    public static RedisKey KeyOf(string workflowId) => $"flowmesh:{{wf:{workflowId}}}:events";

    public async Task AppendAsync(IReadOnlyList<WorkflowEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        cancellationToken.ThrowIfCancellationRequested();
        if (events.Count == 0)
        {
            return;
        }

        var database = redis.GetDatabase();
        var writes = new List<Task>();
        foreach (var workflow in events.GroupBy(e => e.WorkflowId, StringComparer.Ordinal))
        {
            writes.Add(AppendWorkflowAsync(database, workflow.Key, [.. workflow]));
        }

        // Redis cannot abandon a sent command; cancelling only stops the wait. That is safe: a retried append of the
        // same entries is a no-op.
        await Task.WhenAll(writes).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WorkflowEvent>> ReadAsync(string workflowId, long afterSeq, int max, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workflowId);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        cancellationToken.ThrowIfCancellationRequested();

        // StackExchange.Redis reads a take of -1 as "everything"; a request for nothing is answered here.
        if (max == 0)
        {
            return [];
        }

        var members = await redis.GetDatabase()
            .SortedSetRangeByScoreAsync(KeyOf(workflowId), afterSeq, double.PositiveInfinity, Exclude.Start, Order.Ascending, 0, max)
            .WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        var page = new WorkflowEvent[members.Length];
        for (var i = 0; i < members.Length; i++)
        {
            page[i] = Deserialize(workflowId, members[i]);
        }

        return page;
    }

    private async Task AppendWorkflowAsync(IDatabase database, string workflowId, WorkflowEvent[] events)
    {
        var arguments = new RedisValue[events.Length * 2];
        for (var i = 0; i < events.Length; i++)
        {
            var e = events[i];
            arguments[2 * i] = e.Seq.ToString(CultureInfo.InvariantCulture);
            arguments[(2 * i) + 1] = JsonSerializer.SerializeToUtf8Bytes(
                new RedisStoredEvent(e.WorkflowId, e.Seq, e.At, e.Kind, e.Task, e.Data),
                RedisEventJsonContext.Default.RedisStoredEvent);
        }

        var added = (long)await database.ScriptEvaluateAsync(AppendScript, [KeyOf(workflowId)], arguments).ConfigureAwait(false);
        if (added < events.Length)
        {
            LogAlreadyStored(logger, events.Length - added, workflowId);
        }
    }

    private static WorkflowEvent Deserialize(string workflowId, RedisValue member)
    {
        var stored = JsonSerializer.Deserialize((byte[])member!, RedisEventJsonContext.Default.RedisStoredEvent)
            ?? throw new JsonException($"an entry of workflow {workflowId}'s log is null");
        return new WorkflowEvent(stored.WorkflowId, stored.Seq, stored.At, stored.Kind, stored.Task, stored.Data);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kept {Count} already stored entries of workflow {WorkflowId} as they were")]
    private static partial void LogAlreadyStored(ILogger logger, long count, string workflowId);
}
