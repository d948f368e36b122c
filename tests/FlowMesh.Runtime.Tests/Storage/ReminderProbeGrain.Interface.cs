namespace FlowMesh.Runtime.Tests.Storage;

/// <summary>A grain that registers a reminder and reports each tick through <see cref="ReminderSignals"/>.</summary>
[Alias("fm.tests.IReminderProbeGrain")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task StartAsync(TimeSpan period);
}
