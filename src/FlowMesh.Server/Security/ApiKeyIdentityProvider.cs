using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;

namespace FlowMesh.Server.Security;

/// <summary>The built-in identity provider: FlowMesh API keys from the store.</summary>
internal sealed class ApiKeyIdentityProvider(StoreAccess stores) : IIdentityProvider
{
    public ValueTask<FlowMeshPrincipal?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (!ApiKeys.TryParse(token, out var id, out var secret))
        {
            return ValueTask.FromResult<FlowMeshPrincipal?>(null);
        }

        using var store = stores.Open();
        if (store.GetApiKey(id) is not { RevokedAt: null } key || !ApiKeys.Matches(secret, key.Hash) || store.GetTenant(key.TenantId) is not { } tenant)
        {
            return ValueTask.FromResult<FlowMeshPrincipal?>(null);
        }

        return ValueTask.FromResult<FlowMeshPrincipal?>(new FlowMeshPrincipal(tenant.Id, key.Role, key.Id, tenant.IsSystem && key.Role == Roles.Admin));
    }
}
