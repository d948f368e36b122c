using System.CommandLine;
using FlowMesh.Workflows;

namespace FlowMesh.Cli;

internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The workflow file to run" };
        var format = ValidateCommand.FormatOption();
        var plain = new Option<bool>("--plain") { Description = "Print one line per task event instead of the live view (automatic when output is not a terminal)" };
        var command = new Command("run", """
            Run a workflow on this machine with the embedded engine and node agent.
            Shows live progress, then a results table. Exit 0 when every task succeeded or was skipped,
            1 when a task failed, 2 when the file is invalid. Results: <data-dir>/results/<workflow-id>/<task>/results.json
            If the process is interrupted, the printed `flowmesh resume` command finishes the workflow.
            """) { file, format, plain };
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(file)!;
            var parsed = WorkflowParser.ParseFile(path, result.GetValue(format));
            if (!parsed.Success)
            {
                Console.Error.WriteLine($"error {path}: the workflow is invalid ({parsed.Diagnostics.Count} problem(s))");
                foreach (var d in parsed.Diagnostics)
                {
                    Console.Error.WriteLine($"  {d}");
                }

                return 2;
            }

            if (parsed.Workflow!.Tasks.FirstOrDefault(t => t.TaskType == Workflows.Schema.TaskTypes.Approval) is { } gate)
            {
                // Nobody could signal a gate in a one-shot run: it would wait for ever.
                Console.Error.WriteLine($"error {path}: task '{gate.Name}' is an approval gate, which waits for a signal through a server; run it with `flowmesh up` and `flowmesh workflow submit`");
                return 2;
            }

            return await Driver.RunAsync(CliApp.DataDir(result), result.GetValue(CliApp.DurabilityOption), result.GetValue(plain), engine => engine.SubmitAsync(parsed.Workflow!, cancellationToken), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
