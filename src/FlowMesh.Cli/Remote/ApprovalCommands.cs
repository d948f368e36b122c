using System.CommandLine;
using System.Text.Json.Nodes;
using FlowMesh.Client.Models;

namespace FlowMesh.Cli.Remote;

/// <summary><c>flowmesh task approve|reject|signal-token</c>: deciding approval gates from the command line.</summary>
internal static class ApprovalCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Decide("approve", approve: true);
        yield return Decide("reject", approve: false);

        var wf = new Argument<string>("workflow-id");
        var task = new Argument<string>("task");
        var ttl = new Option<double>("--ttl-seconds") { Description = "How long the token stays valid", DefaultValueFactory = _ => 86400 };
        var token = new Command("signal-token", """
            Print a token that decides this open approval gate once, for a person or system without an API key:
            curl -X POST $SERVER/api/v1/signals -H 'Content-Type: application/json' -d '{"token":"…","decision":"approve"}'
            """) { wf, task, ttl };
        token.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var issued = await client.CreateSignalTokenAsync(result.GetValue(wf)!, result.GetValue(task)!, TimeSpan.FromSeconds(result.GetValue(ttl)), ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(issued);
            }
            else
            {
                Console.WriteLine(issued.Token);
            }

            return 0;
        }));
        yield return token;
    }

    private static Command Decide(string verb, bool approve)
    {
        var wf = new Argument<string>("workflow-id");
        var task = new Argument<string>("task");
        var data = new Option<string?>("--data") { Description = "JSON to attach to the decision (it becomes part of the task's result)" };
        var command = new Command(verb, $"{(approve ? "Approve" : "Reject")} an open approval gate (operator role)") { wf, task, data };
        command.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            JsonNode? payload = null;
            if (result.GetValue(data) is { } text)
            {
                try
                {
                    payload = JsonNode.Parse(text);
                }
                catch (System.Text.Json.JsonException ex)
                {
                    Console.Error.WriteLine($"error: --data is not JSON: {ex.Message}");
                    return 2;
                }
            }

            var caller = await client.GetCallerAsync(ct).ConfigureAwait(false);
            var issued = await client.CreateSignalTokenAsync(result.GetValue(wf)!, result.GetValue(task)!, TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
            var answer = await client.SignalAsync(new SignalRequest(issued.Token, approve ? "approve" : "reject", $"key {caller.Subject}", payload), ct).ConfigureAwait(false);
            Console.WriteLine($"{issued.Task}: {answer.Decision}");
            return 0;
        }));
        return command;
    }
}
