using System.Data.Common;

namespace FlowMesh.Engine.Store;

public sealed partial class StoreTransaction
{
    // Most statements one batch holds before it is sent anyway, so a huge turn (a 100,000-task submit) streams.
    private const int MaxBatchCommands = 1000;
    private readonly List<(DbBatchCommand Command, string Entity, string Id, long Expected)> _versioned = [];
    private DbBatch? _batch;

    /// <summary>Called when the transaction is disposed: the store stops flushing it before its reads.</summary>
    internal Action? OnFinished { get; set; }

    /// <summary>
    /// Runs a write. SQLite runs it now (an in-process call). PostgreSQL queues it in the turn's batch, which goes in
    /// one round trip at the next read, result-returning statement or commit: a turn of a few hundred statements costs
    /// a few round trips instead of hundreds. A version-checked write whose row moved on throws when the batch runs,
    /// before the commit, so the whole turn still fails together.
    /// </summary>
    private void Write(DbCommand cmd, (string Entity, string Id, long Expected)? versioned = null)
    {
        Writes++;
        if (!postgres)
        {
            var rows = cmd.ExecuteNonQuery();
            if (versioned is { } v && rows != 1)
            {
                throw new StaleVersionException(v.Entity, v.Id, v.Expected);
            }

            return;
        }

        _batch ??= CreateBatch();
        var queued = _batch.CreateBatchCommand();
        queued.CommandText = cmd.CommandText;
        foreach (DbParameter p in cmd.Parameters)
        {
            var copy = queued.CreateParameter();
            copy.ParameterName = p.ParameterName;
            copy.Value = p.Value ?? DBNull.Value;
            queued.Parameters.Add(copy);
        }

        _batch.BatchCommands.Add(queued);
        if (versioned is { } check)
        {
            _versioned.Add((queued, check.Entity, check.Id, check.Expected));
        }

        if (_batch.BatchCommands.Count >= MaxBatchCommands)
        {
            Flush();
        }
    }

    /// <summary>Sends the queued writes (PostgreSQL); nothing to do on SQLite, where every write already ran.</summary>
    public void Flush()
    {
        if (_batch is not { } batch)
        {
            return;
        }

        _batch = null;
        using (batch)
        {
            batch.ExecuteNonQuery();
            foreach (var (command, entity, id, expected) in _versioned)
            {
                if (command.RecordsAffected != 1)
                {
                    throw new StaleVersionException(entity, id, expected);
                }
            }

            _versioned.Clear();
        }
    }

    private DbBatch CreateBatch()
    {
        var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        return batch;
    }
}
