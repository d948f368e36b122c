namespace FlowMesh.Runtime.Storage;

/// <summary>What a commit of the embedded SQLite storage survives before the write's task completes.</summary>
public enum SqliteDurability
{
    /// <summary>
    /// Every commit is fsynced (WAL, <c>synchronous=FULL</c>): it survives a kill -9 of the process and a power cut or
    /// kernel crash of the machine. The default.
    /// </summary>
    Fsync,

    /// <summary>
    /// Commits reach the WAL file without an fsync each (<c>synchronous=NORMAL</c>; the WAL is fsynced at checkpoints): a
    /// kill -9 of the process loses nothing acknowledged, since the kernel holds what was written; a power cut or kernel
    /// crash can roll back the last commits.
    /// </summary>
    Process,
}
