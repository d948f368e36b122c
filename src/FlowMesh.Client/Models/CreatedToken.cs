namespace FlowMesh.Client.Models;

/// <summary>A new API key: the token is shown only here.</summary>
/// <param name="Token">The bearer token.</param>
/// <param name="Info">Its record.</param>
public sealed record CreatedToken(string Token, TokenInfo Info);
