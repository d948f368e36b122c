using System.CommandLine;

namespace FlowMesh.Cli;

internal static class ListCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit") { Description = "How many (newest first)", DefaultValueFactory = _ => 20 };
        var command = new Command("list", "List workflows in the data directory, newest first") { limit };
        command.SetAction(result =>
        {
            using var store = Driver.OpenExisting(CliApp.DataDir(result));
            if (store is null)
            {
                return 2;
            }

            foreach (var w in store.ListWorkflows(Math.Max(1, result.GetValue(limit))))
            {
                Console.WriteLine($"{w.Id}  {w.State.ToLowerInvariant(),-9}  {w.TaskCount,6} tasks  {w.SubmittedAt:yyyy-MM-dd HH:mm:ss}  {w.Name}");
            }

            return 0;
        });
        return command;
    }
}
