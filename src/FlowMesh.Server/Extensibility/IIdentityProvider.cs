namespace FlowMesh.Server.Extensibility;

/// <summary>
/// Turns a bearer token into a principal. Providers are asked in order (extensions first, the built-in API key provider
/// last); the first non-null answer wins. Return null for a token you do not recognise.
/// </summary>
public interface IIdentityProvider
{
    /// <summary>The principal for <paramref name="token"/>, or null when this provider does not know it.</summary>
    ValueTask<FlowMeshPrincipal?> AuthenticateAsync(string token, CancellationToken cancellationToken);
}
