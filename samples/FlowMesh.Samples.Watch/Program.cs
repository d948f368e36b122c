// Submits a workflow to a FlowMesh server and prints its events live.
//   dotnet run --project samples/FlowMesh.Samples.Watch -- [workflow.yaml]
// Server and token come from FLOWMESH_SERVER and FLOWMESH_TOKEN (see README: `flowmesh up`).
using FlowMesh.Client;

var options = new FlowMeshClientOptions();
if (string.IsNullOrEmpty(options.Token))
{
    Console.Error.WriteLine("set FLOWMESH_TOKEN (after `flowmesh up`, it is in the data directory's admin.token)");
    return 2;
}

using var client = new FlowMeshClient(options);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    var submitted = args.Length > 0
        ? await client.SubmitFileAsync(args[0], stop.Token)
        : await client.SubmitAsync(new WorkflowBuilder("sdk-hello").Echo("greet", ["hello from the SDK"]).Echo("reply", ["and back"], "greet"), stop.Token);
    Console.WriteLine($"submitted {submitted.WorkflowId} ({submitted.Tasks.Count} tasks)");

    await foreach (var e in client.WatchAsync(submitted.WorkflowId, cancellationToken: stop.Token))
    {
        Console.WriteLine($"{e.Seq,5} {e.At:HH:mm:ss.fff} {e.Kind,-18} {e.Task ?? "-",-12} {e.Data.GetRawText()}");
    }

    var done = await client.GetAsync(submitted.WorkflowId, stop.Token);
    Console.WriteLine($"workflow {done.Workflow.Id}: {done.Workflow.State}");
    return done.Workflow.State == "Succeeded" ? 0 : 1;
}
catch (FlowMeshValidationException ex)
{
    Console.Error.WriteLine($"invalid workflow: {ex.Problem.Detail}");
    foreach (var error in ex.Errors)
    {
        Console.Error.WriteLine($"  {error.Text}");
    }

    return 2;
}
catch (FlowMeshException ex)
{
    Console.Error.WriteLine($"server said {ex.Status} {ex.Code}: {ex.Problem.Detail}");
    return 1;
}
