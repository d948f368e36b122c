using System.CommandLine;

namespace FlowMesh.Cli;

internal static class ShowCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("workflow-id") { Description = "A workflow id from `flowmesh list`" };
        var command = new Command("show", "Show one workflow: every task with its state, attempts, time and output or error") { id };
        command.Aliases.Add("info");
        command.SetAction(result =>
        {
            using var store = Driver.OpenExisting(CliApp.DataDir(result));
            if (store is null)
            {
                return 2;
            }

            if (store.GetWorkflow(result.GetValue(id)!) is not { } workflow)
            {
                Console.Error.WriteLine($"error: no workflow '{result.GetValue(id)}'");
                return 2;
            }

            ResultsTable.Print(workflow, store.GetTasks(workflow.Id), null);
            return 0;
        });
        return command;
    }
}
