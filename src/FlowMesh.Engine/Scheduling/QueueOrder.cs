namespace FlowMesh.Engine.Scheduling;

/// <summary>Aged priority first, then arrival.</summary>
internal sealed class QueueOrder : IComparer<QueuedTask>
{
    public static QueueOrder Instance { get; } = new();

    public int Compare(QueuedTask? x, QueuedTask? y) =>
        x is null || y is null ? Comparer<object?>.Default.Compare(x, y) : x.Key != y.Key ? x.Key.CompareTo(y.Key) : x.Seq.CompareTo(y.Seq);
}
