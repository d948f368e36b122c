namespace FlowMesh.Runtime.Storage;

/// <summary>One write waiting for the writer loop: what to apply inside the batch's transaction, and who to tell.</summary>
internal sealed class SqlitePendingWrite(Action<SqliteWriteContext> apply)
{
    public Action<SqliteWriteContext> Apply { get; } = apply;

    // Asynchronous continuations: completing a batch must not run grain code on the writer thread.
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when this write alone failed (its savepoint was rolled back) while the batch committed.</summary>
    public Exception? Failure { get; set; }
}
