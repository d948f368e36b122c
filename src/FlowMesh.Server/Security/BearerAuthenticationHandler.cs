using System.Security.Claims;
using System.Text.Encodings.Web;
using FlowMesh.Server.Api;
using FlowMesh.Server.Extensibility;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowMesh.Server.Security;

/// <summary>
/// Reads <c>Authorization: Bearer</c> (or <c>access_token</c> in the query, for browser EventSource) and asks the identity
/// providers in order. A missing, malformed, unknown or revoked token is 401 with a problem body.
/// </summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IEnumerable<IIdentityProvider> providers)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "FlowMeshBearer";
    private const string PrincipalKey = "flowmesh.principal";

    public static FlowMeshPrincipal? Caller(Microsoft.AspNetCore.Http.HttpContext context) => context.Items[PrincipalKey] as FlowMeshPrincipal;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header["Bearer ".Length..].Trim();
        }
        else if (Request.Query.TryGetValue("access_token", out var q))
        {
            token = q.ToString();
        }

        if (string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }

        foreach (var provider in providers)
        {
            if (await provider.AuthenticateAsync(token, Context.RequestAborted).ConfigureAwait(false) is { } principal)
            {
                Context.Items[PrincipalKey] = principal;
                var identity = new ClaimsIdentity(
                    [new Claim(ClaimTypes.NameIdentifier, principal.Subject), new Claim(ClaimTypes.Role, principal.Role), new Claim("tenant", principal.Tenant)], SchemeName);
                return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
            }
        }

        return AuthenticateResult.Fail("unknown or revoked token");
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var missing = string.IsNullOrEmpty(Request.Headers.Authorization.ToString()) && !Request.Query.ContainsKey("access_token");
        return Problems.WriteAsync(Context, new ApiException(401, missing ? "missing_token" : "invalid_token",
            missing ? "this route needs an API key: send 'Authorization: Bearer <token>'" : "the API key is unknown, malformed or revoked"));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, new ApiException(403, "forbidden", "your role does not allow this"));
}
