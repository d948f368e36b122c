namespace FlowMesh.Engine.Store;

/// <summary>
/// Cluster coordination on PostgreSQL: the leadership term, the inbox through which any replica hands a command to the
/// leader, and each node's work queue. Notifications wake whoever waits; the rows are the truth.
/// </summary>
public sealed partial class FlowMeshStore
{
    /// <summary>Channel on which a new inbox row is announced to the leader.</summary>
    public const string InboxChannel = "flowmesh_inbox";

    /// <summary>Channel on which the leader announces the id of an answered inbox row.</summary>
    public const string InboxDoneChannel = "flowmesh_inbox_done";

    /// <summary>Channel on which a new leader announces its term.</summary>
    public const string LeaderChannel = "flowmesh_leader";

    /// <summary>Starts a new leadership term for <paramref name="replica"/>; the caller must hold the leader lock.</summary>
    public long BeginTerm(string replica)
    {
        using var tx = _connection.BeginTransaction();
        using var cmd = Command("""
            INSERT INTO cluster_leader(id, term, replica, since) VALUES (1, 1, @replica, now())
            ON CONFLICT (id) DO UPDATE SET term = cluster_leader.term + 1, replica = excluded.replica, since = excluded.since
            RETURNING term
            """);
        cmd.Transaction = tx;
        cmd.Add("@replica", replica);
        var term = Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        using var notify = Command("SELECT pg_notify(@c, @p)");
        notify.Transaction = tx;
        notify.Add("@c", LeaderChannel);
        notify.Add("@p", term.ToString(System.Globalization.CultureInfo.InvariantCulture));
        notify.ExecuteNonQuery();

        // Nodes are re-learnt from their next registration: until they register again with the new leader, their
        // heartbeats and polls are told their epoch is stale. A leader's own in-process node is gone with it.
        using var nodes = Command("""
            UPDATE nodes SET state = CASE WHEN id LIKE 'embedded-%' THEN 'Left' ELSE 'Lost' END, version = version + 1
            WHERE state IN ('Up', 'Draining')
            """);
        nodes.Transaction = tx;
        nodes.ExecuteNonQuery();
        tx.Commit();
        return term;
    }

    /// <summary>The current leadership term and the replica that holds it, or null before the first leader.</summary>
    public (long Term, string Replica)? CurrentLeader()
    {
        using var cmd = Command("SELECT term, replica FROM cluster_leader WHERE id = 1");
        using var r = cmd.ExecuteReader();
        return r.Read() ? (I64(r, 0), r.GetString(1)) : null;
    }

    /// <summary>The database's clock: the one clock every replica agrees on.</summary>
    public DateTimeOffset DatabaseNow()
    {
        using var cmd = Command(IsPostgres ? "SELECT now()" : "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
        return cmd.ExecuteScalar() switch
        {
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            DateTimeOffset o => o,
            string s => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal),
            var other => throw new InvalidOperationException($"unexpected clock value {other}"),
        };
    }

    /// <summary>Hands a command to the leader; returns the inbox row's id.</summary>
    public long PostInbox(string kind, string body, string replica)
    {
        using var cmd = Command($"""
            WITH posted AS (INSERT INTO inbox(kind, body, replica) VALUES (@kind, @body, @replica) RETURNING id)
            SELECT id, pg_notify('{InboxChannel}', '') FROM posted
            """);
        cmd.Add("@kind", kind);
        cmd.Add("@body", body);
        cmd.Add("@replica", replica);
        using var r = cmd.ExecuteReader();
        r.Read();
        return I64(r, 0);
    }

    /// <summary>
    /// The leader claims up to <paramref name="limit"/> untaken commands, oldest first, for <paramref name="term"/>. A
    /// claim is final: a command whose leader dies before answering is answered by nobody, and its sender says so.
    /// </summary>
    public IReadOnlyList<InboxRow> ClaimInbox(long term, int limit)
    {
        using var cmd = Command("""
            UPDATE inbox SET taken_term = @term
            WHERE id IN (SELECT id FROM inbox WHERE taken_term IS NULL ORDER BY id LIMIT @limit FOR UPDATE SKIP LOCKED)
              AND EXISTS (SELECT 1 FROM cluster_leader WHERE id = 1 AND term = @term)
            RETURNING id, kind, body
            """);
        cmd.Add("@term", term);
        cmd.Add("@limit", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<InboxRow>();
        while (r.Read())
        {
            list.Add(new InboxRow(I64(r, 0), r.GetString(1), r.GetString(2)));
        }

        list.Sort((a, b) => a.Id.CompareTo(b.Id));
        return list;
    }

    /// <summary>Answers commands: each gets its reply (or failure and status) and its sender is notified.</summary>
    public void AnswerInbox(IReadOnlyList<InboxAnswer> answers)
    {
        using var tx = _connection.BeginTransaction();
        foreach (var a in answers)
        {
            using var cmd = Command("UPDATE inbox SET reply = @reply, failure = @failure, status = @status, done_at = now() WHERE id = @id");
            cmd.Transaction = tx;
            cmd.Add("@reply", a.Reply);
            cmd.Add("@failure", a.Failure);
            cmd.Add("@status", a.Status);
            cmd.Add("@id", a.Id);
            cmd.ExecuteNonQuery();
        }

        using var notify = Command("SELECT pg_notify(@c, @p)");
        notify.Transaction = tx;
        notify.Add("@c", InboxDoneChannel);
        notify.Add("@p", string.Join(',', answers.Select(a => a.Id)));
        notify.ExecuteNonQuery();
        tx.Commit();
    }

    /// <summary>Where a posted command stands: its answer, or who took it (null: nobody yet).</summary>
    public (bool Answered, long? TakenTerm, string? Reply, string? Failure, int Status) GetInboxOutcome(long id)
    {
        using var cmd = Command("SELECT done_at IS NOT NULL, taken_term, reply, failure, COALESCE(status, 0) FROM inbox WHERE id = @id");
        cmd.Add("@id", id);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return (false, null, null, "the command was removed before it was answered", 503);
        }

        return (r.GetBoolean(0), r.IsDBNull(1) ? null : I64(r, 1), Str(r, 2), Str(r, 3), I32(r, 4));
    }

    /// <summary>Takes back a command nobody has taken yet; false when a leader already has it.</summary>
    public bool WithdrawInbox(long id)
    {
        using var cmd = Command("DELETE FROM inbox WHERE id = @id AND taken_term IS NULL");
        cmd.Add("@id", id);
        return cmd.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// Housekeeping of the cluster's queues: commands older than <paramref name="age"/> (their senders have long had an
    /// answer or given up) and work queued for a node registration that is no longer live (nobody will poll for it).
    /// </summary>
    public int PruneClusterQueues(TimeSpan age)
    {
        using var inbox = Command("DELETE FROM inbox WHERE created_at < now() - @age");
        inbox.Add("@age", age);
        using var work = Command("""
            DELETE FROM node_work w WHERE NOT EXISTS (
              SELECT 1 FROM nodes n WHERE n.id = w.node_id AND n.epoch = w.epoch AND n.state IN ('Up', 'Draining'))
            """);
        return inbox.ExecuteNonQuery() + work.ExecuteNonQuery();
    }

    /// <summary>
    /// Takes a node's queued work for its current registration, in order, and drops what was queued for earlier ones.
    /// Null when <paramref name="epoch"/> is not the node's current, live registration.
    /// </summary>
    public IReadOnlyList<string>? TakeNodeWork(string nodeId, long epoch)
    {
        using var tx = _connection.BeginTransaction();
        using var check = Command("SELECT epoch, state FROM nodes WHERE id = @node");
        check.Transaction = tx;
        check.Add("@node", nodeId);
        using (var r = check.ExecuteReader())
        {
            if (!r.Read() || I64(r, 0) != epoch || r.GetString(1) is not ("Up" or "Draining"))
            {
                return null;
            }
        }

        using var take = Command("DELETE FROM node_work WHERE node_id = @node AND epoch <= @epoch RETURNING seq, epoch, body");
        take.Transaction = tx;
        take.Add("@node", nodeId);
        take.Add("@epoch", epoch);
        var items = new List<(long Seq, string Body)>();
        using (var r = take.ExecuteReader())
        {
            while (r.Read())
            {
                if (I64(r, 1) == epoch)
                {
                    items.Add((I64(r, 0), r.GetString(2)));
                }
            }
        }

        tx.Commit();
        return [.. items.OrderBy(i => i.Seq).Select(i => i.Body)];
    }
}
