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
        if (store.GetApiKeyAndTenant(id) is not ({ RevokedAt: null } key, var system) || !ApiKeys.Matches(secret, key.Hash))
        {
            return ValueTask.FromResult<FlowMeshPrincipal?>(null);
        }

        return ValueTask.FromResult<FlowMeshPrincipal?>(new FlowMeshPrincipal(key.TenantId, key.Role, key.Id, system && key.Role == Roles.Admin));
    }
}
