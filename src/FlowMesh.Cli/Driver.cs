using System.Diagnostics;
using FlowMesh.Engine.Runtime;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;

namespace FlowMesh.Cli;

/// <summary>Runs one workflow to its end in this process, with progress on the way and a results table at the end.</summary>
internal static class Driver
{
    public static async Task<int> RunAsync(string dataDir, CommitDurability durability, bool plain, Func<FlowMeshEngine, Task<string>> start, CancellationToken cancellationToken)
    {
        var options = new EngineOptions { DataDirectory = dataDir, Durability = durability };
        await using var engine = new FlowMeshEngine(options, TimeProvider.System);
        try
        {
            await engine.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var progress = new ProgressView(plain || Console.IsOutputRedirected, clock);
        engine.EventsCommitted += progress.OnEvents;
        string id;
        try
        {
            id = await start(engine).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }

        Console.WriteLine($"workflow {id}  (data: {dataDir})");
        Console.WriteLine($"if interrupted, finish it with: flowmesh resume {id} --data-dir {Quote(dataDir)}");
        using var reader = FlowMeshStore.Open(dataDir);
        progress.Track(id, reader.GetTasks(id).Select(t => (t.Name, t.State)));
        WorkflowState state;
        try
        {
            state = await engine.WaitAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"interrupted; finish it with: flowmesh resume {id} --data-dir {Quote(dataDir)}");
            return 130;
        }

        progress.Finish();
        var workflow = reader.GetWorkflow(id)!;
        var tasks = reader.GetTasks(id);
        ResultsTable.Print(workflow, tasks, clock.Elapsed);
        if (state == WorkflowState.Succeeded)
        {
            return 0;
        }

        Console.Error.WriteLine($"error: workflow {state.ToString().ToLowerInvariant()}: {workflow.Error ?? "cancelled"}");
        return 1;
    }

    public static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;

    public static FlowMeshStore? OpenExisting(string dataDir)
    {
        if (!File.Exists(Path.Combine(dataDir, "flowmesh.db")))
        {
            Console.Error.WriteLine($"error: no FlowMesh data in {dataDir} (run a workflow first, or pass --data-dir)");
            return null;
        }

        return FlowMeshStore.Open(dataDir);
    }
}
