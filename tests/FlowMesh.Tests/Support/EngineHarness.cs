using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Runtime;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Support;

/// <summary>A real engine on a real SQLite file in a temporary data directory.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly TempDir _dir;

    private EngineHarness(FlowMeshEngine engine, TempDir dir)
    {
        Engine = engine;
        _dir = dir;
    }

    public FlowMeshEngine Engine { get; }

    public string DataDir => Engine.DataDirectory;

    public static Task<EngineHarness> StartAsync(int slots = 64, double cpus = 64) => StartAsync(null, slots, cpus);

    /// <summary>An engine whose node runs exactly <paramref name="executors"/> (null: the defaults).</summary>
    public static async Task<EngineHarness> StartAsync(IEnumerable<IExecutor>? executors, int slots = 64, double cpus = 64, Action<EngineOptions>? configure = null)
    {
        var dir = new TempDir();
        var options = new EngineOptions { DataDirectory = dir.Path, NodeSlots = slots, NodeCpus = cpus, NodeMemoryBytes = 1L << 40 };
        configure?.Invoke(options);
        var engine = new FlowMeshEngine(options, TimeProvider.System, executors);
        await engine.StartAsync(CancellationToken.None);
        return new EngineHarness(engine, dir);
    }

    public async Task<(WorkflowState State, IReadOnlyList<TaskRow> Tasks)> RunAsync(string yaml)
    {
        var parsed = WorkflowParser.Parse(yaml, "test.yaml");
        Assert.True(parsed.Success, string.Join("\n", parsed.Diagnostics));
        return await RunAsync(parsed.Workflow!);
    }

    public async Task<(WorkflowState State, IReadOnlyList<TaskRow> Tasks)> RunAsync(WorkflowDefinition definition)
    {
        var id = await Engine.SubmitAsync(definition, CancellationToken.None);
        var state = await Engine.WaitAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(5));
        using var store = FlowMeshStore.Open(DataDir);
        return (state, store.GetTasks(id));
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        _dir.Dispose();
    }
}
