using System.Text.RegularExpressions;
using FlowMesh.Client.Models;
using FlowMesh.Engine.Store;
using FlowMesh.Server.Api;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Server.Security;

/// <summary>Tenants and API keys: creation, revocation, and the first admin key of a new installation.</summary>
internal sealed partial class TenantDirectory(StoreAccess stores, ServerOptions options, TimeProvider time, ILogger<TenantDirectory> logger)
{
    /// <summary>On first start: the system tenant and an admin key, written to a file only the owner can read.</summary>
    public void Bootstrap()
    {
        using var store = stores.Open();
        if (store.ListTenants().Count > 0)
        {
            if (File.Exists(options.AdminTokenFile))
            {
                logger.LogInformation("admin token: {File}", options.AdminTokenFile);
            }

            return;
        }

        using (var tx = store.Begin())
        {
            // Replicas of a cluster may start together: the one whose insert lands creates the admin key.
            var first = tx.InsertTenant(new TenantRow(StoreSchema.DefaultTenant, time.GetUtcNow(), IsSystem: true, 0, 0));
            tx.Commit();
            if (!first)
            {
                return;
            }
        }

        // A deployment may hand in its keys (a Kubernetes Secret): they are registered as they are, not made up here.
        AdoptGivenToken(options.BootstrapNodeToken, "bootstrap node", Roles.Node);
        if (AdoptGivenToken(options.BootstrapAdminToken, "bootstrap admin", Roles.Admin))
        {
            logger.LogWarning("first start: created tenant '{Tenant}' with the admin token given in FLOWMESH_ADMIN_TOKEN", StoreSchema.DefaultTenant);
            return;
        }

        var created = CreateToken(StoreSchema.DefaultTenant, "bootstrap admin", Roles.Admin);
        File.Delete(options.AdminTokenFile);
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(options.AdminTokenFile, file))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(created.Token);
        }

        logger.LogWarning("first start: created tenant '{Tenant}' and an admin token in {File} (readable only by this user)", StoreSchema.DefaultTenant, options.AdminTokenFile);
    }

    public CreateTenantResponse CreateTenant(CreateTenantRequest request)
    {
        if (request.Id is null || !TenantId().IsMatch(request.Id))
        {
            throw new ApiException(400, "invalid_tenant", "tenant id must be 2 to 40 lower-case letters, digits or dashes, starting with a letter", "id");
        }

        if (request.MaxRunningTasks < 0 || request.MaxGpus < 0)
        {
            throw new ApiException(400, "invalid_quota", "quotas cannot be negative (0 means unlimited)", request.MaxRunningTasks < 0 ? "maxRunningTasks" : "maxGpus");
        }

        if (request.Weight is <= 0 or > 1000 || double.IsNaN(request.Weight))
        {
            throw new ApiException(400, "invalid_weight", "weight must be in (0, 1000]", "weight");
        }

        if (request.BudgetGpuSeconds < 0 || request.BudgetPeriodSeconds < 0 || (request.BudgetGpuSeconds > 0) != (request.BudgetPeriodSeconds > 0))
        {
            throw new ApiException(400, "invalid_budget", "a budget needs both budgetGpuSeconds and budgetPeriodSeconds, positive (or neither)", "budgetGpuSeconds");
        }

        var row = new TenantRow(request.Id, time.GetUtcNow(), false, request.MaxRunningTasks, request.MaxGpus, request.Weight, request.BudgetGpuSeconds,
            request.BudgetPeriodSeconds, request.BudgetHard);
        using (var store = stores.Open())
        using (var tx = store.Begin())
        {
            if (!tx.InsertTenant(row))
            {
                throw new ApiException(409, "tenant_exists", $"tenant '{request.Id}' already exists", "id");
            }

            tx.Commit();
        }

        return new CreateTenantResponse(Map(row), CreateToken(row.Id, "tenant admin", Roles.Admin));
    }

    public CreatedToken CreateToken(string tenant, string name, string role)
    {
        if (!Roles.All.Contains(role))
        {
            throw new ApiException(400, "invalid_role", $"role must be one of {string.Join(", ", Roles.All)}", "role");
        }

        if (role == Roles.Node && tenant != Engine.Store.StoreSchema.DefaultTenant)
        {
            throw new ApiException(400, "invalid_role", $"node keys belong to the system tenant ({Engine.Store.StoreSchema.DefaultTenant}), not to tenant {tenant}", "role");
        }

        var (id, token, hash) = ApiKeys.Generate();
        var row = new ApiKeyRow(id, tenant, string.IsNullOrWhiteSpace(name) ? role : name.Trim(), role, hash, time.GetUtcNow(), null);
        using (var store = stores.Open())
        using (var tx = store.Begin())
        {
            tx.InsertApiKey(row);
            tx.Commit();
        }

        return new CreatedToken(token, Map(row));
    }

    private bool AdoptGivenToken(string? token, string name, string role)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return false;
        }

        var (id, hash) = ApiKeys.FromGiven(token) ?? throw new InvalidOperationException($"the {name} token given is not a FlowMesh key (fmk_<12 characters>_<secret of 16 or more>)");
        using var store = stores.Open();
        using var tx = store.Begin();
        tx.InsertApiKey(new ApiKeyRow(id, StoreSchema.DefaultTenant, name, role, hash, time.GetUtcNow(), null));
        tx.Commit();
        return true;
    }

    public bool Revoke(string keyId)
    {
        using var store = stores.Open();
        using var tx = store.Begin();
        var revoked = tx.RevokeApiKey(keyId, time.GetUtcNow());
        tx.Commit();
        return revoked;
    }

    public static TenantInfo Map(TenantRow t) => new(t.Id, t.IsSystem, t.MaxRunningTasks, t.MaxGpus, t.CreatedAt, t.Weight, t.BudgetGpuSeconds, t.BudgetPeriodSeconds, t.BudgetHard);

    public static TokenInfo Map(ApiKeyRow k) => new(k.Id, k.TenantId, k.Name, k.Role, k.CreatedAt, k.RevokedAt);

    [GeneratedRegex("^[a-z][a-z0-9-]{1,39}$")]
    private static partial Regex TenantId();
}
