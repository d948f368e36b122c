using System.CommandLine;

namespace FlowMesh.Cli.Remote;

/// <summary><c>flowmesh secret set|list|rm</c>: a tenant's secrets, which tasks get as environment variables.</summary>
internal static class SecretCommands
{
    public static Command Create()
    {
        var name = new Argument<string>("name");
        var fromEnv = new Option<string?>("--from-env") { Description = "Read the value from this environment variable (default: the first line of stdin)" };
        var set = new Command("set", "Set a secret (operators). The value is read from stdin or --from-env, never from the command line, so it stays out of shell history") { name, fromEnv };
        set.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            string? value;
            if (result.GetValue(fromEnv) is { } variable)
            {
                value = Environment.GetEnvironmentVariable(variable);
                if (value is null)
                {
                    Console.Error.WriteLine($"error: environment variable {variable} is not set");
                    return 2;
                }
            }
            else
            {
                value = await Console.In.ReadLineAsync(ct).ConfigureAwait(false);
                if (value is null)
                {
                    Console.Error.WriteLine("error: no value on stdin");
                    return 2;
                }
            }

            var info = await client.SetSecretAsync(result.GetValue(name)!, value, ct).ConfigureAwait(false);
            Console.WriteLine($"secret {info.Name} set (key {info.KeyId})");
            return 0;
        }));

        var list = new Command("list", "List your tenant's secrets (names only)");
        list.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var secrets = await client.ListSecretsAsync(ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(secrets);
            }
            else
            {
                Table.Print(["name", "updated", "key"], secrets.Select(s => new[] { s.Name, s.UpdatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture), s.KeyId }));
            }

            return 0;
        }));

        var rmName = new Argument<string>("name");
        var rm = new Command("rm", "Delete a secret (operators)") { rmName };
        rm.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            await client.DeleteSecretAsync(result.GetValue(rmName)!, ct).ConfigureAwait(false);
            Console.WriteLine($"secret {result.GetValue(rmName)} deleted");
            return 0;
        }));
        return Remote.Group("secret", "Secrets of your tenant, given to tasks as environment variables", set, list, rm);
    }
}
