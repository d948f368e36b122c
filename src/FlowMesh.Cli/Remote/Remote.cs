using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;
using FlowMesh.Client;

namespace FlowMesh.Cli.Remote;

/// <summary>What every command that talks to a server shares: where it is, the token, the output format and error handling.</summary>
internal static class Remote
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>One JSON object per line, for streams (watch, logs) under <c>--output json</c>.</summary>
    public static readonly JsonSerializerOptions JsonLine = new(JsonSerializerDefaults.Web);

    public static Option<string?> ServerOption { get; } = new("--server")
    {
        Description = "The FlowMesh server (default: FLOWMESH_SERVER, else http://127.0.0.1:8080)",
        Recursive = true,
    };

    public static Option<string?> TokenOption { get; } = new("--token")
    {
        Description = "API key (default: FLOWMESH_TOKEN, else <data-dir>/admin.token when present)",
        Recursive = true,
    };

    public static Option<string> OutputOption { get; } = new("--output", "-o")
    {
        Description = "table or json",
        DefaultValueFactory = _ => "table",
        Recursive = true,
    };

    public static Command Group(string name, string description, params Command[] children)
    {
        var group = new Command(name, description);
        foreach (var child in children)
        {
            group.Subcommands.Add(child);
        }

        return group;
    }

    public static bool IsJson(ParseResult result) => string.Equals(result.GetValue(OutputOption), "json", StringComparison.OrdinalIgnoreCase);

    public static void PrintJson<T>(T value) => Console.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>Runs <paramref name="action"/> with a client; server errors print their code and message and exit 1 (2 for bad input, 3 when unreachable).</summary>
    public static async Task<int> RunAsync(ParseResult result, Func<FlowMeshClient, Task<int>> action)
    {
        var (server, token) = Target(result);
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"error: --server must be an http(s) URL, not '{server}'");
            return 2;
        }

        using var client = new FlowMeshClient(new FlowMeshClientOptions { BaseAddress = uri, Token = token });
        try
        {
            return await action(client).ConfigureAwait(false);
        }
        catch (FlowMeshValidationException ex)
        {
            Console.Error.WriteLine($"error: {ex.Code}: {ex.Problem.Detail}");
            foreach (var d in ex.Errors)
            {
                Console.Error.WriteLine($"  {d.Text}");
            }

            return 2;
        }
        catch (FlowMeshException ex)
        {
            Console.Error.WriteLine($"error: {ex.Code}: {ex.Problem.Detail}");
            return 1;
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            Console.Error.WriteLine($"error: cannot reach the FlowMesh server at {uri}: {ex.Message} (start one with `flowmesh up`, or pass --server)");
            return 3;
        }
    }

    /// <summary>The server URL and token every remote command resolves the same way (flags, then environment, then the data directory).</summary>
    public static (string Server, string? Token) Target(ParseResult result) =>
        (result.GetValue(ServerOption) ?? Environment.GetEnvironmentVariable("FLOWMESH_SERVER") ?? "http://127.0.0.1:8080",
         result.GetValue(TokenOption) ?? Environment.GetEnvironmentVariable("FLOWMESH_TOKEN") ?? AdminToken(CliApp.DataDir(result)));

    private static string? AdminToken(string dataDir)
    {
        var file = Path.Combine(dataDir, "admin.token");
        try
        {
            return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
