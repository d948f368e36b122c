using System.CommandLine;
using System.Diagnostics;
using FlowMesh.Client;
using FlowMesh.Client.Models;
using FlowMesh.Engine.Store;

namespace FlowMesh.Cli.Remote;

/// <summary><c>flowmesh workflow submit|validate|list|info|watch|cancel|retry|logs</c> against a server.</summary>
internal static class WorkflowCommands
{
    public static Command Create() => Remote.Group("workflow", "Workflows on a FlowMesh server (--server, --token)",
        Submit(), Validate(), List(), Info(), Watch(), Cancel(), Pause(true), Pause(false), Retry(), Logs());

    private static Command Submit()
    {
        var file = new Argument<string>("file") { Description = "Workflow file (FlowMesh YAML/JSON or n8n JSON)" };
        var watch = new Option<bool>("--watch", "-w") { Description = "Watch it until it ends (exit 0 only if it succeeded)" };
        var command = new Command("submit", "Submit a workflow file; prints its id") { file, watch };
        command.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var path = result.GetValue(file)!;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"error: no such file: {path}");
                return 2;
            }

            var submitted = await client.SubmitFileAsync(path, ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(submitted);
            }
            else
            {
                Console.WriteLine($"workflow {submitted.WorkflowId}  ({submitted.Tasks.Count} tasks)");
            }

            return result.GetValue(watch) ? await WatchAsync(client, submitted.WorkflowId, Remote.IsJson(result), ct).ConfigureAwait(false) : 0;
        }));
        return command;
    }

    private static Command Validate()
    {
        var file = new Argument<string>("file") { Description = "Workflow file" };
        var command = new Command("validate", "Validate a workflow on the server (exit 1 when invalid)") { file };
        command.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var path = result.GetValue(file)!;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"error: no such file: {path}");
                return 2;
            }

            var answer = await client.ValidateFileAsync(path, ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(answer);
            }
            else if (answer.Ok)
            {
                Console.WriteLine($"{path}: valid ({answer.Name}, {answer.Tasks.Count} tasks)");
            }
            else
            {
                foreach (var e in answer.Errors)
                {
                    Console.Error.WriteLine(e.Text);
                }
            }

            return answer.Ok ? 0 : 1;
        }));
        return command;
    }

    private static Command List()
    {
        var state = new Option<string?>("--state") { Description = "Only this state" };
        var name = new Option<string?>("--name") { Description = "Only names containing this" };
        var submitter = new Option<string?>("--submitter") { Description = "Only this submitter (key id)" };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Submitted at or after (ISO 8601)" };
        var limit = new Option<int>("--limit") { Description = "How many at most", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List workflows, newest first") { state, name, submitter, since, limit };
        command.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var filter = new WorkflowFilter { State = result.GetValue(state), Name = result.GetValue(name), Submitter = result.GetValue(submitter), Since = result.GetValue(since) };
            var items = new List<WorkflowSummary>();
            await foreach (var w in client.ListAsync(filter, ct).ConfigureAwait(false))
            {
                items.Add(w);
                if (items.Count >= Math.Max(1, result.GetValue(limit)))
                {
                    break;
                }
            }

            if (Remote.IsJson(result))
            {
                Remote.PrintJson(items);
            }
            else
            {
                Table.Print(["id", "state", "tasks", "submitted", "name"],
                    items.Select(w => new[] { w.Id, w.State.ToLowerInvariant(), w.TaskCount.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{w.SubmittedAt:yyyy-MM-dd HH:mm:ss}", w.Name }));
            }

            return 0;
        }));
        return command;
    }

    private static Command Info()
    {
        var id = new Argument<string>("workflow-id");
        var command = new Command("info", "A workflow's tasks, their states and why waiting tasks wait") { id };
        command.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var info = await client.GetAsync(result.GetValue(id)!, ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(info);
                return 0;
            }

            var w = info.Workflow;
            Console.WriteLine($"{w.Id}  {w.Name}  {w.State.ToLowerInvariant()}  submitted {w.SubmittedAt:yyyy-MM-dd HH:mm:ss} by {w.Submitter ?? "-"}");
            if (w.Error is not null)
            {
                Console.WriteLine($"error: {w.Error}");
            }

            TaskCommands.PrintTasks(info.Tasks);
            return 0;
        }));
        return command;
    }

    private static Command Watch()
    {
        var id = new Argument<string>("workflow-id");
        var command = new Command("watch", "Follow a workflow's progress live until it ends (exit 0 only if it succeeded)") { id };
        command.SetAction((result, ct) => Remote.RunAsync(result, client => WatchAsync(client, result.GetValue(id)!, Remote.IsJson(result), ct)));
        return command;
    }

    internal static async Task<int> WatchAsync(FlowMeshClient client, string workflowId, bool json, CancellationToken ct)
    {
        var info = await client.GetAsync(workflowId, ct).ConfigureAwait(false);
        var progress = new ProgressView(json || Console.IsOutputRedirected, Stopwatch.StartNew());
        if (!json)
        {
            progress.Track(workflowId, info.Tasks.Select(t => (t.Name, t.State)));
        }

        await foreach (var e in client.WatchAsync(workflowId, 0, ct).ConfigureAwait(false))
        {
            if (json)
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(e, Remote.JsonLine));
            }
            else
            {
                progress.OnEvents([new EventRow(workflowId, e.Seq, e.At, e.Kind, e.Task, e.Data.GetRawText())]);
            }
        }

        progress.Finish();
        var end = await client.GetAsync(workflowId, ct).ConfigureAwait(false);
        if (!json)
        {
            TaskCommands.PrintTasks(end.Tasks);
            Console.WriteLine($"workflow {workflowId}: {end.Workflow.State.ToLowerInvariant()}{(end.Workflow.Error is null ? string.Empty : $" ({end.Workflow.Error})")}");
        }

        return end.Workflow.State == "Succeeded" ? 0 : 1;
    }

    private static Command Cancel()
    {
        var id = new Argument<string>("workflow-id");
        var command = new Command("cancel", "Cancel a workflow and its running tasks") { id };
        command.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var info = await client.CancelAsync(result.GetValue(id)!, ct).ConfigureAwait(false);
            Console.WriteLine($"workflow {info.Workflow.Id}: {info.Workflow.State.ToLowerInvariant()}");
            return 0;
        }));
        return command;
    }

    private static Command Pause(bool paused)
    {
        var id = new Argument<string>("workflow-id");
        var command = new Command(paused ? "pause" : "resume", paused
            ? "Pause a workflow: running tasks finish, nothing new starts until it is resumed"
            : "Resume a paused workflow") { id };
        command.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var info = paused ? await client.PauseAsync(result.GetValue(id)!, ct).ConfigureAwait(false) : await client.ResumeAsync(result.GetValue(id)!, ct).ConfigureAwait(false);
            Console.WriteLine($"workflow {info.Workflow.Id}: {info.Workflow.State.ToLowerInvariant()}");
            return 0;
        }));
        return command;
    }

    private static Command Retry()
    {
        var id = new Argument<string>("workflow-id");
        var command = new Command("retry", "Run the failed and cancelled tasks of a finished workflow again") { id };
        command.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var answer = await client.RetryAsync(result.GetValue(id)!, ct).ConfigureAwait(false);
            Console.WriteLine($"workflow {answer.WorkflowId}: {answer.Reopened} task(s) reopened");
            return 0;
        }));
        return command;
    }

    private static Command Logs()
    {
        var id = new Argument<string>("workflow-id");
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep streaming until the workflow ends" };
        var command = new Command("logs", "Log lines of all of a workflow's tasks") { id, follow };
        command.SetAction((result, ct) => Remote.RunAsync(result, client => TaskCommands.LogsAsync(client, result.GetValue(id)!, null, result.GetValue(follow), Remote.IsJson(result), ct)));
        return command;
    }
}
