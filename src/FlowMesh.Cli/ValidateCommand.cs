using System.CommandLine;
using FlowMesh.Workflows;

namespace FlowMesh.Cli;

internal static class ValidateCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Workflow files (FlowMesh YAML/JSON or n8n JSON exports)", Arity = ArgumentArity.OneOrMore };
        var format = FormatOption();
        var command = new Command("validate", "Check workflow files without running them; exit 1 if any is invalid") { files, format };
        command.SetAction(result =>
        {
            var bad = 0;
            foreach (var file in result.GetValue(files)!)
            {
                var parsed = WorkflowParser.ParseFile(file, result.GetValue(format));
                if (parsed.Success)
                {
                    var wf = parsed.Workflow!;
                    Console.WriteLine($"ok    {file}: {wf.Name}, {wf.Tasks.Count} task(s): {string.Join(", ", wf.Tasks.Select(t => $"{t.Name} ({t.TaskType})"))}");
                    continue;
                }

                bad++;
                Console.Error.WriteLine($"error {file}: {parsed.Diagnostics.Count} problem(s)");
                foreach (var d in parsed.Diagnostics)
                {
                    Console.Error.WriteLine($"  {d}");
                }
            }

            return bad == 0 ? 0 : 1;
        });
        return command;
    }

    public static Option<WorkflowFormat> FormatOption() => new("--format")
    {
        Description = "Input format: Auto (default; n8n exports are recognised), FlowMesh or N8n",
        DefaultValueFactory = _ => WorkflowFormat.Auto,
    };
}
