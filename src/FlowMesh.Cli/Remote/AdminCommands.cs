using System.CommandLine;
using FlowMesh.Client.Models;

namespace FlowMesh.Cli.Remote;

/// <summary><c>flowmesh tenant create|list</c> and <c>flowmesh token create|list|revoke</c>.</summary>
internal static class AdminCommands
{
    public static Command Tenant()
    {
        var id = new Argument<string>("tenant-id");
        var tasks = new Option<int>("--max-running-tasks") { Description = "Quota: tasks running at once (0 = unlimited)" };
        var gpus = new Option<int>("--max-gpus") { Description = "Quota: GPUs held at once (0 = unlimited)" };
        var weight = new Option<double>("--weight") { Description = "Fair-share weight against other tenants", DefaultValueFactory = _ => 1 };
        var budget = new Option<double>("--budget-gpu-seconds") { Description = "GPU-seconds per budget period (0 = no budget)" };
        var period = new Option<long>("--budget-period-seconds") { Description = "Budget period in seconds (86400: a day)" };
        var soft = new Option<bool>("--soft-budget") { Description = "Flag GPU work over budget instead of holding it" };
        var create = new Command("create", "Create a tenant and print its first admin token (system admins)") { id, tasks, gpus, weight, budget, period, soft };
        create.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var made = await client.CreateTenantAsync(new CreateTenantRequest(result.GetValue(id)!, result.GetValue(tasks), result.GetValue(gpus), result.GetValue(weight),
                result.GetValue(budget), result.GetValue(period), !result.GetValue(soft)), ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(made);
            }
            else
            {
                Console.WriteLine($"tenant {made.Tenant.Id} created; its admin token (shown once):");
                Console.WriteLine(made.AdminToken.Token);
            }

            return 0;
        }));
        return Remote.Group("tenant", "Tenants (system admins)", create);
    }

    public static Command Token()
    {
        var role = new Option<string>("--role") { Description = "admin, operator, viewer, or node (a node agent's key, system tenant only)", DefaultValueFactory = _ => "operator" };
        var name = new Option<string>("--name") { Description = "A label", DefaultValueFactory = _ => "cli" };
        var tenant = new Option<string?>("--tenant") { Description = "Another tenant (system admins only)" };
        var create = new Command("create", "Create an API key and print it (shown once)") { role, name, tenant };
        create.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var made = await client.CreateTokenAsync(new CreateTokenRequest(result.GetValue(name)!, result.GetValue(role)!, result.GetValue(tenant)), ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(made);
            }
            else
            {
                Console.WriteLine(made.Token);
            }

            return 0;
        }));

        var list = new Command("list", "API keys of your tenant (never their secrets)");
        list.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var keys = await client.ListTokensAsync(ct).ConfigureAwait(false);
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(keys);
            }
            else
            {
                Table.Print(["id", "tenant", "role", "name", "created", "revoked"],
                    keys.Select(k => new[] { k.Id, k.Tenant, k.Role, k.Name, $"{k.CreatedAt:yyyy-MM-dd HH:mm}", k.RevokedAt is { } r ? $"{r:yyyy-MM-dd HH:mm}" : null }));
            }

            return 0;
        }));

        var id = new Argument<string>("token-id");
        var revoke = new Command("revoke", "Revoke an API key by id") { id };
        revoke.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var key = await client.RevokeTokenAsync(result.GetValue(id)!, ct).ConfigureAwait(false);
            Console.WriteLine($"token {key.Id} revoked");
            return 0;
        }));
        return Remote.Group("token", "API keys", create, list, revoke);
    }
}
