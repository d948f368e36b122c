namespace FlowMesh.Engine.Store;

/// <summary>What a commit of the SQLite store survives before anyone is told it happened.</summary>
public enum CommitDurability
{
    /// <summary>
    /// Every commit is fsynced (WAL, <c>synchronous=FULL</c>): it survives a kill -9 of the process and a power cut or
    /// kernel crash of the machine. The default.
    /// </summary>
    Fsync,

    /// <summary>
    /// Commits go to the WAL without an fsync each (<c>synchronous=NORMAL</c>; the WAL is fsynced at checkpoints): a
    /// kill -9 of the process loses nothing acknowledged, since the kernel holds what was written; a power cut or kernel
    /// crash can roll back the last commits. For a single machine that trades that for speed.
    /// </summary>
    Process,
}
