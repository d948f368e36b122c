using System.Data.Common;
using System.Globalization;

namespace FlowMesh.Engine.Store;

/// <summary>
/// One atomic step (or a group of them: the engine commits every transition of a loop turn together). Updates carry
/// the version they expect and throw <see cref="StaleVersionException"/> when the row moved on: at once on SQLite, and on
/// PostgreSQL (where a turn's writes go in batches) when the batch is sent, at the latest by <see cref="Commit"/>, which
/// then commits nothing.
/// </summary>
public sealed partial class StoreTransaction(DbConnection connection, DbTransaction transaction, bool postgres) : IDisposable
{
    private DbCommand? _updateTask;
    private DbCommand? _insertEvent;

    public int Writes { get; private set; }

    public void InsertWorkflow(WorkflowRow w)
    {
        using var cmd = Command("INSERT INTO workflows(id, name, state, version, source_file, format, owner_node, error, submitted_at, finished_at, task_count, tenant_id, submitter) VALUES (@id, @name, @state, @version, @src, @format, @owner, @error, @at, NULL, @count, @tenant, @submitter)");
        cmd.Add("@id", w.Id);
        cmd.Add("@name", w.Name);
        cmd.Add("@state", w.State);
        cmd.Add("@version", w.Version);
        cmd.Add("@src", w.SourceFile);
        cmd.Add("@format", w.Format);
        cmd.Add("@owner", (object?)w.OwnerNode ?? DBNull.Value);
        cmd.Add("@error", (object?)w.Error ?? DBNull.Value);
        cmd.Add("@at", Iso(w.SubmittedAt));
        cmd.Add("@count", w.TaskCount);
        cmd.Add("@tenant", w.Tenant);
        cmd.Add("@submitter", (object?)w.Submitter ?? DBNull.Value);
        Write(cmd);
    }

    public void InsertTask(TaskRow t)
    {
        using var cmd = Command("INSERT INTO tasks(workflow_id, idx, name, task_type, state, version, spec, deps, resources, attempt, node_id, result, error, started_at, finished_at) VALUES (@wf, @idx, @name, @type, @state, @version, @spec, @deps, @res, @attempt, NULL, NULL, NULL, NULL, NULL)");
        cmd.Add("@wf", t.WorkflowId);
        cmd.Add("@idx", t.Index);
        cmd.Add("@name", t.Name);
        cmd.Add("@type", t.TaskType);
        cmd.Add("@state", t.State);
        cmd.Add("@version", t.Version);
        cmd.Add("@spec", t.Spec);
        cmd.Add("@deps", t.Deps);
        cmd.Add("@res", t.Resources);
        cmd.Add("@attempt", t.Attempt);
        Write(cmd);
    }

    /// <summary>Records a task's dependencies and the workflow's task count after a map fanned out (not version-checked: only the engine's loop grows a graph).</summary>
    public void SetDeps(string workflowId, int index, string deps, int taskCount)
    {
        using (var cmd = Command("UPDATE tasks SET deps = @deps WHERE workflow_id = @wf AND idx = @idx"))
        {
            cmd.Add("@deps", deps);
            cmd.Add("@wf", workflowId);
            cmd.Add("@idx", index);
            Write(cmd);
        }

        using var count = Command("UPDATE workflows SET task_count = @count WHERE id = @wf");
        count.Add("@count", taskCount);
        count.Add("@wf", workflowId);
        Write(count);
    }

    /// <summary>Replaces a task's type, spec and resources (its fallback took over), so a restart runs the fallback too.</summary>
    public void SetTaskSpec(string workflowId, int index, string taskType, string spec, string resources)
    {
        using var cmd = Command("UPDATE tasks SET task_type = @type, spec = @spec, resources = @res WHERE workflow_id = @wf AND idx = @idx");
        cmd.Add("@type", taskType);
        cmd.Add("@spec", spec);
        cmd.Add("@res", resources);
        cmd.Add("@wf", workflowId);
        cmd.Add("@idx", index);
        Write(cmd);
    }

    /// <summary>Moves a task to <paramref name="update"/>'s state if it is still at <paramref name="expectedVersion"/>.</summary>
    public void UpdateTask(string workflowId, int index, long expectedVersion, TaskUpdate update)
    {
        _updateTask ??= Prepare("UPDATE tasks SET state = @state, version = version + 1, attempt = @attempt, node_id = @node, result = COALESCE(@result, result), error = @error, waiting = NULL, started_at = COALESCE(@started, started_at), finished_at = @finished, gpus = @gpus WHERE workflow_id = @wf AND idx = @idx AND version = @expected",
            "@state", "@attempt", "@node", "@result", "@error", "@started", "@finished", "@wf", "@idx", "@expected", "@gpus");
        var p = _updateTask.Parameters;
        p[0].Value = update.State;
        p[1].Value = update.Attempt;
        p[2].Value = (object?)update.NodeId ?? DBNull.Value;
        p[3].Value = (object?)update.Result ?? DBNull.Value;
        p[4].Value = (object?)update.Error ?? DBNull.Value;
        p[5].Value = update.StartedAt is { } s ? Iso(s) : DBNull.Value;
        p[6].Value = update.FinishedAt is { } f ? Iso(f) : DBNull.Value;
        p[7].Value = workflowId;
        p[8].Value = index;
        p[9].Value = expectedVersion;
        p[10].Value = update.Gpus is { } gpus ? System.Text.Json.JsonSerializer.Serialize(gpus) : DBNull.Value;
        Write(_updateTask, ("task", $"{workflowId}/{index}", expectedVersion));
    }

    public void UpdateWorkflow(string id, long expectedVersion, string state, string? ownerNode, string? error, DateTimeOffset? finishedAt)
    {
        using var cmd = Command("UPDATE workflows SET state = @state, version = version + 1, owner_node = @owner, error = @error, finished_at = @finished WHERE id = @id AND version = @expected");
        cmd.Add("@state", state);
        cmd.Add("@owner", (object?)ownerNode ?? DBNull.Value);
        cmd.Add("@error", (object?)error ?? DBNull.Value);
        cmd.Add("@finished", finishedAt is { } f ? Iso(f) : DBNull.Value);
        cmd.Add("@id", id);
        cmd.Add("@expected", expectedVersion);
        Write(cmd, ("workflow", id, expectedVersion));
    }

    public void AppendEvent(EventRow e)
    {
        _insertEvent ??= Prepare("INSERT INTO events(workflow_id, seq, at, kind, task, data) VALUES (@wf, @seq, @at, @kind, @task, @data)",
            "@wf", "@seq", "@at", "@kind", "@task", "@data");
        var p = _insertEvent.Parameters;
        p[0].Value = e.WorkflowId;
        p[1].Value = e.Seq;
        p[2].Value = Iso(e.At);
        p[3].Value = e.Kind;
        p[4].Value = (object?)e.Task ?? DBNull.Value;
        p[5].Value = e.Data;
        Write(_insertEvent);
    }

    /// <summary>Registers or refreshes a node; <paramref name="expectedVersion"/> of -1 means "insert".</summary>
    public void SaveNode(NodeRow n, long expectedVersion)
    {
        using var cmd = expectedVersion < 0
            ? Command("INSERT INTO nodes(id, state, version, host, pid, process_start, heartbeat_at, capacity, cordoned, epoch) VALUES (@id, @state, 1, @host, @pid, @start, @hb, @cap, @cordoned, @epoch)")
            : Command("UPDATE nodes SET state = @state, version = version + 1, host = @host, pid = @pid, process_start = @start, heartbeat_at = @hb, capacity = @cap, cordoned = @cordoned, epoch = @epoch WHERE id = @id AND version = @expected");
        cmd.Add("@id", n.Id);
        cmd.Add("@state", n.State);
        cmd.Add("@host", n.Host);
        cmd.Add("@pid", n.Pid);
        cmd.Add("@start", n.ProcessStart);
        cmd.Add("@hb", Iso(n.HeartbeatAt));
        cmd.Add("@cap", n.Capacity);
        cmd.Add("@cordoned", n.Cordoned ? 1 : 0);
        cmd.Add("@epoch", n.Epoch);
        cmd.Add("@expected", expectedVersion);
        Write(cmd, ("node", n.Id, expectedVersion));
    }

    public void Commit()
    {
        Flush();
        transaction.Commit();
    }

    public void Dispose()
    {
        _batch?.Dispose();
        _updateTask?.Dispose();
        _insertEvent?.Dispose();
        transaction.Dispose();
        OnFinished?.Invoke();
    }

    internal static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private DbCommand Command(string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        return cmd;
    }

    // Reused for every row of a turn. SQLite compiles it once here; Npgsql's parameters are untyped until they hold a
    // value, so PostgreSQL relies on the connection's automatic preparation instead.
    private DbCommand Prepare(string sql, params string[] names)
    {
        var cmd = Command(sql);
        foreach (var name in names)
        {
            cmd.Add(name, null);
        }

        if (!postgres)
        {
            cmd.Prepare();
        }

        return cmd;
    }
}
