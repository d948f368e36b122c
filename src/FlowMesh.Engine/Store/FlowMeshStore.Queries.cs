using System.Data.Common;
using System.Globalization;
using System.Text;

namespace FlowMesh.Engine.Store;

public sealed partial class FlowMeshStore
{
    public WorkflowRow? GetWorkflow(string id)
    {
        using var cmd = Command($"SELECT {Columns} FROM workflows WHERE id = @id");
        cmd.Add("@id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadWorkflow(r) : null;
    }

    /// <summary>The workflow if it belongs to <paramref name="tenantId"/>; another tenant's id reads as missing.</summary>
    public WorkflowRow? GetWorkflow(string tenantId, string id) => GetWorkflow(id) is { } w && w.Tenant == tenantId ? w : null;

    public IReadOnlyList<WorkflowRow> ListWorkflows(int limit)
    {
        using var cmd = Command($"SELECT {Columns} FROM workflows ORDER BY submitted_at DESC, id DESC LIMIT @limit");
        cmd.Add("@limit", limit);
        return ReadWorkflows(cmd);
    }

    public IReadOnlyList<WorkflowRow> ListWorkflows(WorkflowQuery q)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM workflows WHERE tenant_id = @tenant");
        using var cmd = Command(string.Empty);
        cmd.Add("@tenant", q.TenantId);
        if (q.State is { } state)
        {
            sql.Append(" AND state = @state");
            cmd.Add("@state", state);
        }

        if (q.Name is { } name)
        {
            sql.Append(" AND " + (IsPostgres ? "strpos" : "instr") + "(lower(name), lower(@name)) > 0");
            cmd.Add("@name", name);
        }

        if (q.Submitter is { } submitter)
        {
            sql.Append(" AND submitter = @submitter");
            cmd.Add("@submitter", submitter);
        }

        if (q.Since is { } since)
        {
            sql.Append(" AND submitted_at >= @since");
            cmd.Add("@since", StoreTransaction.Iso(since));
        }

        if (q.Until is { } until)
        {
            sql.Append(" AND submitted_at < @until");
            cmd.Add("@until", StoreTransaction.Iso(until));
        }

        if (q.Before is { } before)
        {
            sql.Append(" AND (submitted_at < @bat OR (submitted_at = @bat AND id < @bid))");
            cmd.Add("@bat", StoreTransaction.Iso(before.SubmittedAt));
            cmd.Add("@bid", before.Id);
        }

        sql.Append(" ORDER BY submitted_at DESC, id DESC LIMIT @limit");
        cmd.Add("@limit", q.Limit);
        cmd.CommandText = sql.ToString();
        return ReadWorkflows(cmd);
    }

    /// <summary>Workflows not yet finished, oldest first: what a restarted server takes over.</summary>
    public IReadOnlyList<WorkflowRow> ListUnfinishedWorkflows()
    {
        using var cmd = Command($"SELECT {Columns} FROM workflows WHERE state IN ('Pending', 'Running', 'Paused') ORDER BY submitted_at, id");
        return ReadWorkflows(cmd);
    }

    public IReadOnlyList<TaskRow> GetTasks(string workflowId)
    {
        using var cmd = Command("SELECT workflow_id, idx, name, task_type, state, version, spec, deps, resources, attempt, node_id, result, error, started_at, finished_at, waiting, gpus FROM tasks WHERE workflow_id = @wf ORDER BY idx");
        cmd.Add("@wf", workflowId);
        return ReadTasks(cmd);
    }

    public TaskRow? GetTask(string workflowId, int index)
    {
        using var cmd = Command("SELECT workflow_id, idx, name, task_type, state, version, spec, deps, resources, attempt, node_id, result, error, started_at, finished_at, waiting, gpus FROM tasks WHERE workflow_id = @wf AND idx = @idx");
        cmd.Add("@wf", workflowId);
        cmd.Add("@idx", index);
        return ReadTasks(cmd).FirstOrDefault();
    }

    /// <summary>Tasks running on a node, with their workflow's tenant.</summary>
    public IReadOnlyList<(TaskRow Task, string Tenant)> GetRunningTasks(string nodeId)
    {
        using var cmd = Command("SELECT t.workflow_id, t.idx, t.name, t.task_type, t.state, t.version, t.spec, t.deps, t.resources, t.attempt, t.node_id, t.result, t.error, t.started_at, t.finished_at, t.waiting, t.gpus, w.tenant_id FROM tasks t JOIN workflows w ON w.id = t.workflow_id WHERE t.node_id = @node AND t.state = 'Running' AND w.state IN ('Running', 'Paused')");
        cmd.Add("@node", nodeId);
        return ReadAll(cmd, r => (ReadTask(r), r.GetString(17)));
    }

    /// <summary>True while <paramref name="nodeId"/> runs attempt <paramref name="attempt"/> of the task (it holds the lease).</summary>
    public bool HoldsLease(string nodeId, string workflowId, int index, int attempt) => GetTask(workflowId, index)?.IsHeldBy(nodeId, attempt) == true;

    public string? GetTaskResult(string workflowId, int index)
    {
        using var cmd = Command("SELECT result FROM tasks WHERE workflow_id = @wf AND idx = @idx");
        cmd.Add("@wf", workflowId);
        cmd.Add("@idx", index);
        return cmd.ExecuteScalar() as string;
    }

    /// <summary>Events after <paramref name="afterSeq"/>, optionally of one kind and one task, in sequence order.</summary>
    public IReadOnlyList<EventRow> GetEvents(string workflowId, long afterSeq, int limit, string? kind = null, string? task = null)
    {
        using var cmd = Command("SELECT workflow_id, seq, at, kind, task, data FROM events WHERE workflow_id = @wf AND seq > @after"
            + (kind is null ? string.Empty : " AND kind = @kind") + (task is null ? string.Empty : " AND task = @task") + " ORDER BY seq LIMIT @limit");
        cmd.Add("@wf", workflowId);
        cmd.Add("@after", afterSeq);
        cmd.Add("@limit", limit);
        if (kind is not null)
        {
            cmd.Add("@kind", kind);
        }

        if (task is not null)
        {
            cmd.Add("@task", task);
        }

        return ReadAll(cmd, r => new EventRow(r.GetString(0), I64(r, 1), Time(r, 2)!.Value, r.GetString(3), Str(r, 4), r.GetString(5)));
    }

    public long LastEventSeq(string workflowId)
    {
        using var cmd = Command("SELECT COALESCE(MAX(seq), 0) FROM events WHERE workflow_id = @wf");
        cmd.Add("@wf", workflowId);
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public NodeRow? GetNode(string id)
    {
        using var cmd = Command("SELECT id, state, version, host, pid, process_start, heartbeat_at, capacity, cordoned, epoch FROM nodes WHERE id = @id");
        cmd.Add("@id", id);
        return ReadNodes(cmd).FirstOrDefault();
    }

    public IReadOnlyList<NodeRow> ListNodes()
    {
        using var cmd = Command("SELECT id, state, version, host, pid, process_start, heartbeat_at, capacity, cordoned, epoch FROM nodes ORDER BY heartbeat_at DESC, id");
        return ReadNodes(cmd);
    }

    /// <summary>
    /// Deletes up to <paramref name="limit"/> workflows that finished before <paramref name="before"/>, with their tasks and
    /// events, in one transaction. Usage rows (billing) and result files on disk stay. Returns how many went.
    /// </summary>
    public int PruneFinishedWorkflows(DateTimeOffset before, int limit)
    {
        using var tx = _connection.BeginTransaction();
        var ids = new List<string>();
        using (var select = Command("SELECT id FROM workflows WHERE finished_at IS NOT NULL AND finished_at < @before ORDER BY finished_at LIMIT @limit"))
        {
            select.Transaction = tx;
            select.Add("@before", StoreTransaction.Iso(before));
            select.Add("@limit", limit);
            using var r = select.ExecuteReader();
            while (r.Read())
            {
                ids.Add(r.GetString(0));
            }
        }

        // Children first; the workflow row last, and only while it is still finished.
        foreach (var sql in new[] { "DELETE FROM events WHERE workflow_id = @id", "DELETE FROM tasks WHERE workflow_id = @id", "DELETE FROM workflows WHERE id = @id AND finished_at IS NOT NULL" })
        {
            using var delete = Command(sql);
            delete.Transaction = tx;
            var id = delete.Add("@id", null);
            foreach (var workflow in ids)
            {
                id.Value = workflow;
                delete.ExecuteNonQuery();
            }
        }

        tx.Commit();
        return ids.Count;
    }

    /// <summary>Workflow counts by state across tenants: what /metrics exports.</summary>
    public IReadOnlyDictionary<string, long> CountWorkflowsByState()
    {
        using var cmd = Command("SELECT state, COUNT(*) FROM workflows GROUP BY state");
        return Counts(cmd);
    }

    /// <summary>One tenant's workflows by state.</summary>
    public IReadOnlyDictionary<string, long> CountWorkflowsByState(string tenantId)
    {
        using var cmd = Command("SELECT state, COUNT(*) FROM workflows WHERE tenant_id = @tenant GROUP BY state");
        cmd.Add("@tenant", tenantId);
        return Counts(cmd);
    }

    /// <summary>The tasks of one tenant's unfinished workflows, by state.</summary>
    public IReadOnlyDictionary<string, long> CountLiveTasksByState(string tenantId)
    {
        using var cmd = Command("SELECT t.state, COUNT(*) FROM tasks t JOIN workflows w ON w.id = t.workflow_id WHERE w.tenant_id = @tenant AND w.state IN ('Pending', 'Running', 'Paused') GROUP BY t.state");
        cmd.Add("@tenant", tenantId);
        return Counts(cmd);
    }

    private static Dictionary<string, long> Counts(DbCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (r.Read())
        {
            counts[r.GetString(0)] = I64(r, 1);
        }

        return counts;
    }

    private static IReadOnlyList<NodeRow> ReadNodes(DbCommand cmd) => ReadAll(cmd, r =>
        new NodeRow(r.GetString(0), r.GetString(1), I64(r, 2), r.GetString(3), I32(r, 4), I64(r, 5), Time(r, 6)!.Value, r.GetString(7), I64(r, 8) != 0, I64(r, 9)));

    private static IReadOnlyList<WorkflowRow> ReadWorkflows(DbCommand cmd) => ReadAll(cmd, ReadWorkflow);

    private static IReadOnlyList<TaskRow> ReadTasks(DbCommand cmd) => ReadAll(cmd, ReadTask);

    private static List<T> ReadAll<T>(DbCommand cmd, Func<DbDataReader, T> read)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read())
        {
            list.Add(read(r));
        }

        return list;
    }

    private static TaskRow ReadTask(DbDataReader r) =>
        new(r.GetString(0), I32(r, 1), r.GetString(2), r.GetString(3), r.GetString(4), I64(r, 5), r.GetString(6), r.GetString(7),
            r.GetString(8), I32(r, 9), Str(r, 10), Str(r, 11), Str(r, 12), Time(r, 13), Time(r, 14), Str(r, 15), Str(r, 16));
}
