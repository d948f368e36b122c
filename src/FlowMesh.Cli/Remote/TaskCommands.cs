using System.CommandLine;
using System.Globalization;
using FlowMesh.Client;
using FlowMesh.Client.Models;

namespace FlowMesh.Cli.Remote;

/// <summary><c>flowmesh task list|info|logs|stop</c>, and <c>approve|reject|signal-token</c> for approval gates.</summary>
internal static class TaskCommands
{
    public static Command Create()
    {
        var wf = new Argument<string>("workflow-id");
        var list = new Command("list", "Tasks of a workflow") { wf };
        list.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var tasks = await client.GetTasksAsync(result.GetValue(wf)!, ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(tasks);
            }
            else
            {
                PrintTasks(tasks);
            }

            return 0;
        }));

        var wf2 = new Argument<string>("workflow-id");
        var task = new Argument<string>("task");
        var info = new Command("info", "One task") { wf2, task };
        info.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var t = await client.GetTaskAsync(result.GetValue(wf2)!, result.GetValue(task)!, ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(t);
            }
            else
            {
                PrintTasks([t]);
            }

            return 0;
        }));

        var wf3 = new Argument<string>("workflow-id");
        var task3 = new Argument<string>("task");
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep streaming until the workflow ends" };
        var logs = new Command("logs", "Log lines of one task") { wf3, task3, follow };
        logs.SetAction((result, ct) => Remote.RunAsync(result, client => LogsAsync(client, result.GetValue(wf3)!, result.GetValue(task3), result.GetValue(follow), Remote.IsJson(result), ct)));

        var wf4 = new Argument<string>("workflow-id");
        var task4 = new Argument<string>("task");
        var stop = new Command("stop", "Stop one task (its dependents are cancelled)") { wf4, task4 };
        stop.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var t = await client.StopTaskAsync(result.GetValue(wf4)!, result.GetValue(task4)!, ct).ConfigureAwait(false);
            Console.WriteLine($"task {t.Name}: {t.State.ToLowerInvariant()}");
            return 0;
        }));
        return Remote.Group("task", "Tasks of workflows on a FlowMesh server", [list, info, logs, stop, .. ApprovalCommands.Create()]);
    }

    public static void PrintTasks(IReadOnlyList<TaskInfo> tasks) =>
        Table.Print(["task", "type", "state", "attempt", "node", "detail"], tasks.Select(t => new[]
        {
            t.Name, t.TaskType, t.State.ToLowerInvariant(), t.Attempt.ToString(CultureInfo.InvariantCulture), t.Node, t.Error ?? t.WaitingOn,
        }));

    public static async Task<int> LogsAsync(FlowMeshClient client, string workflowId, string? task, bool follow, bool json, CancellationToken ct)
    {
        void Print(LogEntry e)
        {
            Console.WriteLine(json
                ? System.Text.Json.JsonSerializer.Serialize(e, Remote.JsonLine)
                : $"{e.At:HH:mm:ss.fff} {e.Task} {(e.Stream == "stderr" ? "!" : "|")} {e.Text}");
        }

        if (follow)
        {
            await foreach (var e in client.StreamLogsAsync(workflowId, task, 0, ct).ConfigureAwait(false))
            {
                Print(e);
            }

            return 0;
        }

        long cursor = 0;
        while (true)
        {
            var page = await client.GetLogsAsync(workflowId, task, cursor, 1000, ct).ConfigureAwait(false);
            foreach (var e in page.Entries)
            {
                Print(e);
            }

            if (page.NextCursor == cursor)
            {
                return 0;
            }

            cursor = page.NextCursor;
        }
    }
}
