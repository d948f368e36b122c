using System.CommandLine;
using System.Text.Json.Nodes;

namespace FlowMesh.Cli;

internal static class LogsCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("workflow-id") { Description = "A workflow id from `flowmesh list`" };
        var all = new Option<bool>("--events") { Description = "Print every event (state changes, results), not only log lines" };
        var command = new Command("logs", "Print a workflow's task logs (and with --events, its whole ordered event log)") { id, all };
        command.SetAction(result =>
        {
            using var store = Driver.OpenExisting(CliApp.DataDir(result));
            if (store is null)
            {
                return 2;
            }

            var workflowId = result.GetValue(id)!;
            if (store.GetWorkflow(workflowId) is null)
            {
                Console.Error.WriteLine($"error: no workflow '{workflowId}'");
                return 2;
            }

            long after = 0;
            while (store.GetEvents(workflowId, after, 1000) is { Count: > 0 } page)
            {
                foreach (var e in page)
                {
                    if (e.Kind == "task.log" && JsonNode.Parse(e.Data)?["lines"] is JsonArray lines)
                    {
                        foreach (var line in lines)
                        {
                            Console.WriteLine($"{e.Task} | {line?["stream"]} | {line?["text"]}");
                        }
                    }
                    else if (result.GetValue(all))
                    {
                        Console.WriteLine($"#{e.Seq} {e.At:HH:mm:ss.fff} {e.Kind} {e.Task} {e.Data}");
                    }
                }

                after = page[^1].Seq;
            }

            return 0;
        });
        return command;
    }
}
